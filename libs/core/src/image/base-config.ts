import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HashdockError } from '../errors';
import { writeFileAtomic } from '../files/write-file-atomic';
import { InheritedTriggers } from '../docker/onbuild-triggers';
import { parseDockerfile } from '../docker/dockerfile-instructions';
import { RegistryClient } from '../registry/client';
import { isSha256Digest } from '../registry/reference';
import { manifestByDigest } from '../registry/manifest-by-digest';
import { getManifest, rememberByDigest, sha256Digest } from '../registry/manifest-io';
import { RuntimeConfig } from './apply-instructions';
import { BaseImageError, ExternalBase } from './external-bases';

/** An image's config JSON (the part Hashdock reads and writes; other fields kept as they are). */
export interface ImageConfigJson {
  architecture?: string;
  os?: string;
  config?: RuntimeConfig;
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; empty_layer?: boolean; comment?: string }[];
  [field: string]: unknown;
}

/** The config of an image manifest (given, or read by its digest), its bytes checked against their digest; read once per client. */
export async function imageConfig(registry: RegistryClient, repository: string, manifest: { bytes: Uint8Array } | string): Promise<{ json: ImageConfigJson; bytes: Uint8Array<ArrayBuffer>; digest: string }> {
  const raw = typeof manifest === 'string' ? await getManifest(registry, repository, manifest) : manifest;
  const digest = (JSON.parse(Buffer.from(raw.bytes).toString('utf8')) as { config?: { digest?: string } }).config?.digest;
  if (!digest) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}: the image manifest names no config`);
  const key = `${repository}@${digest}`;
  let bytes = registry.byDigest.get(key);
  if (!bytes) {
    const response = await registry.request(repository, { method: 'GET', path: `blobs/${digest}`, expect: [200] });
    bytes = new Uint8Array(await response.arrayBuffer());
    if (sha256Digest(bytes) !== digest) throw new HashdockError('REGISTRY_PROTOCOL', `${key}: the config blob does not match its digest`);
    rememberByDigest(registry, key, bytes);
  }
  return { json: JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfigJson, bytes, digest };
}

/** Where a base's ONBUILD triggers are kept by its manifest digest (what a digest names never changes). */
function triggersCacheFile(cacheDir: string, digest: string): string {
  return join(cacheDir, 'base-onbuild', `${digest.replace(/^sha256:/, '')}.json`);
}

async function cachedTriggers(cacheDir: string | undefined, digest: string): Promise<string[] | undefined> {
  if (!cacheDir || !isSha256Digest(digest)) return undefined;
  try {
    const triggers = JSON.parse(await readFile(triggersCacheFile(cacheDir, digest), 'utf8')) as unknown;
    return Array.isArray(triggers) && triggers.every((trigger) => typeof trigger === 'string') ? triggers : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The ONBUILD triggers external bases bring into this build, by the FROM line naming each (read from
 * their configs: docker runs them there, on this build's context). A `COPY --from` image's are never run.
 * With `cacheDir` (the checkout's cache), each base's triggers are kept by its manifest digest: the next
 * run (every image task of a CI job, each its own process) asks the registry nothing for them.
 */
export async function externalBaseTriggers(registry: RegistryClient, dockerfile: string, dockerfileText: string, bases: readonly ExternalBase[], cacheDir?: string): Promise<Map<number, InheritedTriggers>> {
  const fromLines = new Set(parseDockerfile(dockerfileText).instructions.flatMap((instruction) => (instruction.keyword === 'FROM' ? [instruction.line] : [])));
  const found = new Map<number, InheritedTriggers>();
  for (const base of bases) {
    if (!fromLines.has(base.line) || found.has(base.line)) continue;
    let triggers = await cachedTriggers(cacheDir, base.digest);
    if (!triggers) {
      const repository = base.pinned.slice(0, base.pinned.lastIndexOf('@'));
      try {
        // Its manifest through the checkout's cache as well (base resolution has usually kept it there).
        triggers = (await imageConfig(registry, repository, await manifestByDigest(registry, repository, base.digest, cacheDir))).json.config?.OnBuild ?? [];
      } catch (cause) {
        throw new BaseImageError(dockerfile, base.line, base.reference, `its config (${base.pinned}) could not be read: ${(cause as Error).message.split('\n')[0]}`, { cause });
      }
      // A cache that cannot be written costs the next run two requests, nothing more.
      if (cacheDir && isSha256Digest(base.digest)) await writeFileAtomic(triggersCacheFile(cacheDir, base.digest), JSON.stringify(triggers)).catch(() => undefined);
    }
    if (triggers.length) found.set(base.line, { image: base.reference, triggers });
  }
  return found;
}
