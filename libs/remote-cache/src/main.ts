import { createAuthorizer, RegistryClient } from '../../core/src/index';
import { createCacheServer } from './cache-server';
import { DirectoryStorage } from './storage/directory-storage';
import { RegistryStorage } from './storage/registry-storage';

/**
 * hashdock-cache: Nx self-hosted remote cache.
 *   HASHDOCK_CACHE_TOKENS=rw1,rw2 HASHDOCK_CACHE_READONLY_TOKENS=ro1 \
 *   node -r @swc-node/register libs/remote-cache/src/main.ts --port 3333 (--dir DIR | --registry HOST/REPO)
 */
function main(): void {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const index = args.indexOf(`--${name}`);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const port = Number(flag('port') ?? process.env.HASHDOCK_CACHE_PORT ?? 3333);
  const host = flag('host') ?? '127.0.0.1';
  const readWriteTokens = (process.env.HASHDOCK_CACHE_TOKENS ?? '').split(',').filter(Boolean);
  const readOnlyTokens = (process.env.HASHDOCK_CACHE_READONLY_TOKENS ?? '').split(',').filter(Boolean);
  if (readWriteTokens.length + readOnlyTokens.length === 0) {
    console.error('hashdock-cache: set HASHDOCK_CACHE_TOKENS (read-write) and/or HASHDOCK_CACHE_READONLY_TOKENS');
    process.exit(2);
  }
  const registry = flag('registry');
  const storage = registry
    ? new RegistryStorage(new RegistryClient({ authorize: createAuthorizer() }), registry)
    : new DirectoryStorage(flag('dir') ?? '.hashdock/nx-cache');
  const server = createCacheServer({ storage, readWriteTokens, readOnlyTokens, log: (line) => console.log(line) });
  server.listen(port, host, () => console.log(`hashdock-cache listening on http://${host}:${port} (${registry ? `registry ${registry}` : 'directory'})`));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
}

main();
