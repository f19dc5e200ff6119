import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { isHashdockError } from '../errors';

// Each command loads only what it uses: `base-digest` runs on every Nx hashing of an image with an
// external base (a runtime input), so its start-up is on the path of every `nx affected`.
const USAGE = `usage: hashdock image [--dry-run | --dryRun] [--no-push] [--target <name>] [--platform <os/arch>[,<os/arch>…]]   (in a project directory)
       hashdock report                             (writes dist/images/report.md)
       hashdock verify                             (every manifest's digest is in its registry)
       hashdock base-digest <reference> [--arg <NAME> | --expand <spec>] [--platform <os/arch>[,<os/arch>…]] [--mirror <host>=<mirror>…]
                                                   (the digest a base image resolves to; --arg lets HASHDOCK_BUILD_ARG_<NAME> override the reference,
                                                    --expand reads a FROM built from ARGs again with those overrides;
                                                    read through a mirror, or HASHDOCK_MIRRORS's)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...flags] = argv;
  if (command === 'image') {
    const { imageCommand } = (require('./image-command') as typeof import('./image-command'));
    // Nx's spellings too (`--dryRun`), as a turbo user copies them from Nx's commands.
    const { values } = parseArgs({
      args: flags,
      options: { 'dry-run': { type: 'boolean' }, dryRun: { type: 'boolean' }, 'no-push': { type: 'boolean' }, target: { type: 'string' }, platform: { type: 'string' } },
    });
    const overrides = { ...(values['dry-run'] || values.dryRun ? { dryRun: true } : {}), ...(values['no-push'] ? { push: false } : {}), ...(values.platform ? { platform: values.platform } : {}) };
    await imageCommand(process.cwd(), overrides, values.target);
    return 0;
  }
  if (command === 'report') {
    const { findWorkspaceRoot } = (require('./image-command') as typeof import('./image-command'));
    const { readHashdockConfig } = (require('../workspace/hashdock-config') as typeof import('../workspace/hashdock-config'));
    const { writeRunReport } = (require('../report/image-report') as typeof import('../report/image-report'));
    const root = findWorkspaceRoot(process.cwd());
    const path = await writeRunReport(join(root, readHashdockConfig(root).manifestDir), new Set());
    console.log(path ? `hashdock report: ${path}` : 'hashdock report: no image reports yet');
    return 0;
  }
  if (command === 'verify') {
    const { findWorkspaceRoot } = (require('./image-command') as typeof import('./image-command'));
    const { readHashdockConfig } = (require('../workspace/hashdock-config') as typeof import('../workspace/hashdock-config'));
    const { releaseFromManifests } = (require('../release/release-file') as typeof import('../release/release-file'));
    const { verifyReleaseDigests } = (require('../release/verify-release') as typeof import('../release/verify-release'));
    const { createAuthorizer } = (require('../registry/auth') as typeof import('../registry/auth'));
    const { RegistryClient } = (require('../registry/client') as typeof import('../registry/client'));
    const root = findWorkspaceRoot(process.cwd());
    const dir = join(root, readHashdockConfig(root).manifestDir);
    const release = await releaseFromManifests('local', dir);
    const authorize = createAuthorizer();
    await verifyReleaseDigests(Object.values(release.images), () => new RegistryClient({ authorize }), dir);
    console.log(`hashdock verify: ${Object.keys(release.images).length} images, every digest is in its registry`);
    return 0;
  }
  if (command === 'base-digest') {
    const { createAuthorizer } = (require('../registry/auth') as typeof import('../registry/auth'));
    const { RegistryClient } = (require('../registry/client') as typeof import('../registry/client'));
    const { decodeExpansion, digestForPlatform, readBaseManifest, referenceWith } = (require('../image/external-bases') as typeof import('../image/external-bases'));
    const { nodeFetch } = (require('../registry/node-fetch') as typeof import('../registry/node-fetch'));
    const { hostPlatform, platformList } = (require('../image/image-options') as typeof import('../image/image-options'));
    const { MIRRORS_ENV, parseMirrorsSpec } = (require('../registry/mirrors') as typeof import('../registry/mirrors'));
    const { cacheDirFor } = (require('../hash/cache-dir') as typeof import('../hash/cache-dir'));
    const { values, positionals } = parseArgs({ args: flags, allowPositionals: true, options: { arg: { type: 'string' }, expand: { type: 'string' }, platform: { type: 'string' }, mirror: { type: 'string', multiple: true } } });
    const reference = values.expand ? referenceWith(decodeExpansion(values.expand), process.env) : (values.arg && process.env[`HASHDOCK_BUILD_ARG_${values.arg}`]) || positionals[0];
    if (!reference) {
      console.error(USAGE);
      return 2;
    }
    // The executor's rule: HASHDOCK_MIRRORS, when set, instead of the configured mirrors.
    const mirrors = parseMirrorsSpec(process.env[MIRRORS_ENV] ?? (values.mirror ?? []).join(','), process.env[MIRRORS_ENV] !== undefined ? MIRRORS_ENV : '--mirror');
    // A few small requests: over node:http, without loading the global fetch (~100 ms of a fresh process).
    const client = new RegistryClient({ authorize: createAuthorizer({ fetch: nodeFetch }), fetch: nodeFetch });
    // Read once for every platform. Nx runs runtime inputs from the workspace root: its cache keeps indexes by digest (see manifestByDigest).
    const base = await readBaseManifest(client, reference, mirrors, cacheDirFor(process.cwd(), 'registry'));
    // Nx hashes these lines (a runtime input): a re-pushed base changes them. Several platforms: one line each.
    // An index's digest too: a docker build for several platforms reads each FROM's child of it (see dockerBuildPlatforms).
    for (const platform of platformList(values.platform ?? hostPlatform())) console.log(`${reference} ${platform} ${digestForPlatform(base, platform).digest}${base.children ? ` index ${base.digest}` : ''}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

export function runCli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (error) => {
      // A wrong flag (`--dryRun`): the flag and the usage, not a stack.
      if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) {
        console.error(`hashdock: ${(error as Error).message}\n${USAGE}`);
        process.exit(2);
      }
      console.error(`hashdock failed: ${isHashdockError(error) ? error.message : ((error as Error).stack ?? String(error))}`);
      process.exit(1);
    },
  );
}
