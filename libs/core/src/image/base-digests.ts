import { BaseDigestSpec, specReference } from './base-digest-spec';
import { digestForPlatform, readBaseManifest } from './external-bases';
import { hostPlatform, platformList } from './image-options';
import { createAuthorizer } from '../registry/auth';
import { RegistryClient } from '../registry/client';
import { MIRRORS_ENV, parseMirrorsSpec } from '../registry/mirrors';
import { nodeFetch } from '../registry/node-fetch';

/**
 * The digest each platform of a base resolves to now, one line each (`<reference> <platform> <digest>`, and
 * the index's digest when the tag names one): what goes into the task hash, so a re-pushed base changes it.
 * A few small requests over node:http (no undici: a short-lived `hashdock base-digest` process would pay
 * ~100 ms loading it); an index is read by digest through `cacheDir` (see manifestByDigest).
 */
export async function baseDigestLines(spec: BaseDigestSpec, env: NodeJS.ProcessEnv, cacheDir: string | undefined, client?: RegistryClient): Promise<string[]> {
  const reference = specReference(spec, env);
  const fromEnv = env[MIRRORS_ENV];
  const mirrors = parseMirrorsSpec(fromEnv ?? (spec.mirrors ?? []).join(','), fromEnv !== undefined ? MIRRORS_ENV : '--mirror');
  const registry = client ?? new RegistryClient({ authorize: createAuthorizer({ fetch: nodeFetch }), fetch: nodeFetch });
  // Read once for every platform. An index's digest is on each line too: a docker build for several
  // platforms reads each FROM's child of it (see dockerBuildPlatforms).
  const base = await readBaseManifest(registry, reference, mirrors, cacheDir);
  return platformList(spec.platform ?? hostPlatform()).map((platform) => `${reference} ${platform} ${digestForPlatform(base, platform).digest}${base.children ? ` index ${base.digest}` : ''}`);
}
