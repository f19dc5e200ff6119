import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { isHashdockError } from '../errors';

// Each command loads only what it uses: a command's start-up is part of every script or runtime input that runs it.
const USAGE = `usage: hashdock image [--dry-run] [--no-push] [--target <name>]   (in a project directory)
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
    const { values } = parseArgs({ args: flags, options: { 'dry-run': { type: 'boolean' }, 'no-push': { type: 'boolean' }, target: { type: 'string' } } });
    await imageCommand(process.cwd(), { ...(values['dry-run'] ? { dryRun: true } : {}), ...(values['no-push'] ? { push: false } : {}) }, values.target);
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
    const { baseDigestLines } = (require('../image/base-digests') as typeof import('../image/base-digests'));
    const { specReference } = (require('../image/base-digest-spec') as typeof import('../image/base-digest-spec'));
    const { cacheDirFor } = (require('../hash/cache-dir') as typeof import('../hash/cache-dir'));
    const { values, positionals } = parseArgs({ args: flags, allowPositionals: true, options: { arg: { type: 'string' }, expand: { type: 'string' }, platform: { type: 'string' }, mirror: { type: 'string', multiple: true } } });
    const spec = { reference: positionals[0] ?? '', arg: values.arg, expand: values.expand, platform: values.platform, mirrors: values.mirror };
    if (!specReference(spec, process.env)) {
      console.error(USAGE);
      return 2;
    }
    // Nx's hasher for image targets reads the same lines in its own process (see hashImageTask); this command
    // prints them for a person, or for a runtime input written by hand. Its cache keeps indexes by digest (see manifestByDigest).
    for (const line of await baseDigestLines(spec, process.env, cacheDirFor(process.cwd(), 'registry'))) console.log(line);
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
