import { join, resolve } from 'node:path';
import { DockerDriver, buildWorkspaceImages, createAuthorizer, RegistryClient, getEnvironment, loadEnvironments, loadRelease, verifyReleaseDigests } from '@hashdock/core';
import type { ProgramDeps, ReleasedImages } from './program';
import type { StackSettings } from './stack-settings';

/** The real outside world: environments.json, release files, the registry, the docker engine. */
export function liveDeps(settings: StackSettings, workspaceRoot = resolve(__dirname, '..')): ProgramDeps {
  const authorize = createAuthorizer();
  const clients = new Map<string, RegistryClient>();
  const clientFor = (registry: string) => {
    let client = clients.get(registry);
    if (!client) clients.set(registry, (client = new RegistryClient({ authorize })));
    return client;
  };
  const environmentsPath = join(workspaceRoot, 'infra/environments.json');
  return {
    async loadRelease(environment) {
      const env = getEnvironment(await loadEnvironments(environmentsPath), environmentsPath, environment);
      const location = join(workspaceRoot, env.release);
      const release = await loadRelease(environment, location);
      return { source: location, images: release.images };
    },
    verifyRelease: (release) => verifyReleaseDigests(Object.values(release.images), clientFor, release.source),
    async buildImages(dryRun): Promise<ReleasedImages> {
      const manifestDir = join('dist/pulumi', settings.stack, 'images');
      const results = await buildWorkspaceImages(
        { workspaceRoot, overrides: { dryRun, manifestDir } },
        { docker: new DockerDriver({ stream: false }), registry: new RegistryClient({ authorize }), log: (line) => console.log(line) },
      );
      const images: ReleasedImages['images'] = {};
      for (const { manifest } of results) {
        // A preview knows the tag, not yet the digest.
        const ref = manifest.ref ?? `${manifest.repository}:${manifest.contentHash}`;
        images[manifest.project] = { project: manifest.project, repository: manifest.repository, digest: manifest.digest ?? '', ref };
      }
      return { source: join(workspaceRoot, manifestDir), images };
    },
  };
}
