import { existsSync } from 'node:fs';
import { HashdockError } from '../errors';
import { ImageManifest, manifestPath, readManifest } from '../manifest/image-manifest';
import { RegistryClient } from '../registry/client';
import { hasTag } from '../registry/tag-exists';
import { findWorkspaceBaseImages, LiteralWorkspaceFromError } from './base-images';
import { ImageBuildOptions } from './image-options';

export interface ResolvedBase {
  project: string;
  arg?: string;
  contentHash: string;
  reference: string;
  /** Its ONBUILD triggers (from its manifest): they run in this build. */
  onbuild?: string[];
}

export class BaseManifestMismatchError extends HashdockError {
  constructor(manifestFile: string, detail: string) {
    super('BASE_MANIFEST_MISMATCH', `${manifestFile}: ${detail}. Rebuild the base image (nx run <base>:image --skip-nx-cache) before the images FROM it.`);
  }
}

/** An image FROM a workspace image whose manifest is not there yet: that image has not been built in this checkout. */
export class BaseNotBuiltError extends HashdockError {
  constructor(dockerfile: string, line: number, base: string, manifestFile: string, options?: { cause?: unknown }) {
    super(
      'BASE_NOT_BUILT',
      `${dockerfile}:${line}: FROM the workspace image ${base}, which has not been built here (no ${manifestFile}). ` +
        `Build it first: Nx orders this itself (nx run-many -t image); turbo orders by package dependencies only, so give this package's image task "dependsOn" the base package's ("<base package>#image").`,
      options,
    );
  }
}

/**
 * A pushed base's manifest is checked against the registry: its content-hash
 * tag must hold the recorded digest. Otherwise a service would build on an
 * image that does not exist under that hash (an edited or stale manifest).
 */
async function checkBaseInRegistry(file: string, dependency: ImageManifest, registry: RegistryClient): Promise<void> {
  if (!dependency.pushed || !dependency.digest) return;
  const held = await hasTag(registry, dependency.repository, dependency.contentHash);
  if (held !== dependency.digest)
    throw new BaseManifestMismatchError(
      file,
      `records ${dependency.repository}:${dependency.contentHash} at ${dependency.digest}, but the registry's tag ${held ? `holds ${held}` : 'does not exist'}`,
    );
}

/** The workspace images this one builds FROM, from their manifests (each checked against the registry). */
export async function resolveBases(options: ImageBuildOptions, dockerfileText: string, registry: RegistryClient): Promise<ResolvedBase[]> {
  const bases = findWorkspaceBaseImages(dockerfileText, options.workspaceImages);
  const resolved: ResolvedBase[] = [];
  for (const base of bases) {
    if (!base.arg) throw new LiteralWorkspaceFromError(options.dockerfile, base.line, base.project);
    const file = manifestPath(options.manifestDir, base.project);
    if (!existsSync(file)) throw new BaseNotBuiltError(options.dockerfile, base.line, base.project, file);
    const dependency = await readManifest(file);
    await checkBaseInRegistry(file, dependency, registry);
    // Pin the exact digest when the base was pushed; a local-only base is found by its content-hash tag.
    const reference = dependency.ref ?? `${dependency.repository}:${dependency.contentHash}`;
    resolved.push({ project: base.project, arg: base.arg, contentHash: dependency.contentHash, reference, ...(dependency.onbuild?.length ? { onbuild: dependency.onbuild } : {}) });
  }
  return resolved;
}
