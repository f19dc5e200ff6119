import { assertSupportedRuntime } from '../../runtime-check';
import { posix } from 'node:path';
import { formatFiles, generateFiles, logger, readNxJson, Tree } from '@nx/devkit';
import { expandPathTemplate, hashdockOptionsIn, InvalidOptionError, normalizeHashdockOptions, parseRepository } from '@hashdock/core';
import type { ServiceGeneratorSchema } from './schema';

/**
 * `nx g @hashdock/nx-plugin:service billing`: a dependency-free Node service
 * (ESM, no build step) with a /health route, a node:test suite and a
 * Dockerfile written for the workspace's context policy. Works in any Nx
 * workspace with the plugin registered; its image target is inferred.
 */
export default async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<void> {
  assertSupportedRuntime();
  const name = schema.name;
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(name)) throw new InvalidOptionError('name', `Service name "${name}" must be lowercase letters and digits separated by "-"`);
  const root = posix.join(schema.directory ?? 'apps', name);
  if (tree.exists(root)) throw new InvalidOptionError('name', `${root} already exists`);
  const config = normalizeHashdockOptions(hashdockOptionsIn(readNxJson(tree) ?? {}));
  parseRepository(`${config.registry}/${config.namespace}/${name}`);
  // The Dockerfile's COPY source is relative to the build context the workspace uses.
  const context = posix.relative('/ws', expandPathTemplate(config.context, root, name, '/ws')) || '.';
  const sourceInContext = posix.relative(context, posix.join(root, 'src')) || '.';
  if (sourceInContext.startsWith('..'))
    throw new InvalidOptionError('context', `The build context "${config.context}" does not contain ${root}/src; set "context" in nx.json to project or workspace`);
  generateFiles(tree, posix.join(__dirname, 'files'), root, {
    name,
    port: schema.port ?? 3000,
    baseImage: schema.baseImage ?? 'node:24-slim',
    root,
    sourceInContext,
    offset: root.split('/').map(() => '..').join('/'),
    tmpl: '',
  });
  if (context === root) tree.write(posix.join(root, '.dockerignore'), '# Only the service code goes into the image.\n**/*.spec.mjs\n*.md\n');
  await formatFiles(tree);
  // Where the image goes when the target runs: the environment's overrides win, as they will then.
  const registry = process.env.HASHDOCK_REGISTRY || config.registry;
  const namespace = process.env.HASHDOCK_NAMESPACE || config.namespace;
  const overridden = registry !== config.registry || namespace !== config.namespace ? ' (HASHDOCK_REGISTRY / HASHDOCK_NAMESPACE in this environment)' : '';
  logger.info(`Added ${root}: nx run ${name}:image builds ${registry}/${namespace}/${name}${overridden}; nx run ${name}:run-image serves it on 127.0.0.1:${schema.port ?? 3000}`);
}
