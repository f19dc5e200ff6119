import { join } from 'node:path';
import { generateFiles, readNxJson, Tree } from '@nx/devkit';
import { InvalidOptionError, normalizeHashdockOptions, parseRepository, PLUGIN_NAME } from '@hashdock/core';
import type { ServiceGeneratorSchema } from './schema';

/** `nx g @hashdock/nx-plugin:service billing`: a small service whose image builds FROM the workspace base. */
export default async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<void> {
  const name = schema.name;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) throw new InvalidOptionError('name', `Service name "${name}" must be lowercase letters and digits separated by "-"`);
  const root = join(schema.directory ?? 'apps', name);
  if (tree.exists(root)) throw new InvalidOptionError('name', `${root} already exists`);
  const entry = readNxJson(tree)?.plugins?.find((plugin) => (typeof plugin === 'string' ? plugin : plugin.plugin) === PLUGIN_NAME);
  const config = normalizeHashdockOptions(typeof entry === 'object' ? (entry.options as never) : undefined);
  parseRepository(`${config.registry}/${config.namespace}/${name}`);
  generateFiles(tree, join(__dirname, 'files'), root, {
    name,
    namespace: config.namespace,
    port: schema.port ?? 3000,
    root,
    offset: root.split('/').map(() => '..').join('/'),
    tmpl: '',
    dot: '.',
  });
}
