import { assertSupportedRuntime } from '../../runtime-check';
import { posix } from 'node:path';
import { addProjectConfiguration, getProjects, logger, readNxJson, Tree, updateProjectConfiguration } from '@nx/devkit';
import { keepJsonLayout } from '../keep-json-layout';
import { EnvironmentsFile, hashdockOptionsIn, IMAGE_EXECUTOR, InvalidOptionError, normalizeHashdockOptions, owningProjectRoot, parseRepository, PLUGIN_NAME } from '@hashdock/core';
import { workspaceFiles } from '../init/workspace-files';
import type { ReleaseGeneratorSchema } from './schema';

/**
 * `nx g @hashdock/nx-plugin:release`: promotion by digest in the user's workspace. A project with a
 * `promote` target and its environments file: `dev` is what the image targets push (the manifests
 * in the plugin's manifest directory), each further environment gets its own namespace on the same
 * registry, `<namespace>/<env>` (edit the file to point one at another registry or namespace), and a
 * release file the promotion writes.
 */
export default async function releaseGenerator(tree: Tree, schema: ReleaseGeneratorSchema): Promise<void> {
  assertSupportedRuntime();
  const directory = posix.normalize(schema.directory ?? 'release').replace(/\/$/, '');
  if (directory.startsWith('..') || posix.isAbsolute(directory)) throw new InvalidOptionError('directory', `"${directory}" must be a folder inside the workspace`);
  const project = schema.project ?? 'release';
  if (getProjects(tree).has(project)) throw new InvalidOptionError('project', `A project named "${project}" already exists; pass --project=<another>`);
  const environmentsPath = posix.join(directory, 'environments.json');
  for (const path of [posix.join(directory, 'project.json'), environmentsPath])
    if (tree.exists(path)) throw new InvalidOptionError('directory', `${path} already exists; pass --directory=<another>`);
  const names = (schema.environments ?? 'staging,prod').split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) if (!/^[a-z0-9][a-z0-9-]*$/.test(name) || name === 'dev') throw new InvalidOptionError('environments', `Environment "${name}" must be lowercase letters, digits and "-", and not "dev" (dev is what the image targets push)`);
  if (names.length === 0 || new Set(names).size !== names.length) throw new InvalidOptionError('environments', `"${schema.environments}" must name one or more distinct environments`);
  const config = normalizeHashdockOptions(hashdockOptionsIn(readNxJson(tree) ?? {}), 'nx.json');
  const file: EnvironmentsFile = { environments: { dev: { registry: config.registry, namespace: config.namespace, release: config.manifestDir } } };
  // Nested under the namespace (GHCR wants the owner first; Harbor, ECR, GAR and ACR take paths); Docker Hub
  // has one level only, so there it is a sibling namespace (an organization of that name).
  const dockerHub = /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)$/.test(config.registry);
  for (const name of names) {
    const namespace = dockerHub ? `${config.namespace}-${name}` : `${config.namespace}/${name}`;
    parseRepository(`${config.registry}/${namespace}/x`);
    file.environments[name] = { registry: config.registry, namespace, release: posix.join(directory, 'releases', `${name}.json`) };
  }
  tree.write(environmentsPath, `${JSON.stringify(file, null, 2)}\n`);
  addProjectConfiguration(tree, project, {
    root: directory,
    projectType: 'application',
    targets: {
      promote: {
        executor: `${PLUGIN_NAME}:promote`,
        options: { environments: environmentsPath },
        cache: false,
        metadata: { description: `Promote a release by digest between the environments of ${environmentsPath}: --from=<env> --to=<env> [--dryRun]` },
      },
    },
  });
  if (schema.nxRelease) addReleasePublishTargets(tree, config.targetName);
  keepJsonLayout(tree);
  const order = ['dev', ...names];
  logger.info(
    `Added ${directory}/: ${order.map((name) => `${name} = ${file.environments[name].registry}/${file.environments[name].namespace}`).join(', ')}. ` +
      `Promote by digest, nothing rebuilt: ${order.slice(1).map((name, i) => `nx run ${project}:promote --from=${order[i]} --to=${name}`).join('; then ')}`,
  );
}

/**
 * `--nxRelease`: an `nx-release-publish` target (the release-publish executor, after the image target) in every
 * project that has a Dockerfile or Containerfile in its folder or declares an image target; one that has such a
 * target of its own keeps it. nx.json's release configuration is the user's (which projects, how versions are
 * decided): said, not written.
 */
function addReleasePublishTargets(tree: Tree, targetName: string): void {
  const added: string[] = [];
  const kept: string[] = [];
  // The projects the plugin gives an image target: each Dockerfile's owner (the nearest project folder above it, as
  // inference decides), and any project that declares one.
  const owners = new Set(workspaceFiles(tree, '').dockerfiles.map((path) => owningProjectRoot(tree.root, path, (file) => tree.exists(file))));
  for (const [name, project] of getProjects(tree)) {
    const hasImage = owners.has(project.root) || Object.values(project.targets ?? {}).some((target) => target.executor === IMAGE_EXECUTOR);
    if (!hasImage) continue;
    if (project.targets?.['nx-release-publish']) {
      kept.push(name);
      continue;
    }
    updateProjectConfiguration(tree, name, {
      ...project,
      targets: { ...project.targets, 'nx-release-publish': { executor: `${PLUGIN_NAME}:release-publish`, dependsOn: [targetName] } },
    });
    added.push(name);
  }
  if (added.length)
    logger.info(`${PLUGIN_NAME}: nx-release-publish added to ${added.join(', ')}: nx release tags each one's images with its release version, by digest. List them in nx.json "release" (release.projects) if they are not there.`);
  if (kept.length) logger.warn(`${PLUGIN_NAME}: ${kept.join(', ')} already ${kept.length > 1 ? 'have' : 'has'} an nx-release-publish target of ${kept.length > 1 ? 'their' : 'its'} own; left as it is.`);
  if (!added.length && !kept.length) logger.warn(`${PLUGIN_NAME}: no project has a Dockerfile or an image target; no nx-release-publish target added.`);
}
