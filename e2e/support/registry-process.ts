import { existsSync } from 'node:fs';
import { spawn, ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A real CNCF Distribution registry on a loopback port, for auth tests. */
export class RegistryProcess {
  private constructor(readonly address: string, private readonly child: ChildProcess, private readonly dir: string) {}

  /** Whether the registry stores a repository yet (its directory appears with the first blob or manifest). */
  hasRepository(path: string): boolean {
    return existsSync(join(this.dir, 'data/docker/registry/v2/repositories', path, '_manifests'));
  }

  static async start(options: { htpasswdFile?: string; token?: { realm: string; service: string; issuer: string; certFile: string } } = {}): Promise<RegistryProcess> {
    const dir = await mkdtemp(join(tmpdir(), 'hashdock-registry-'));
    const port = await freePort();
    const auth = options.htpasswdFile
      ? `auth:\n  htpasswd:\n    realm: hashdock-test\n    path: ${options.htpasswdFile}\n`
      : options.token
        ? `auth:\n  token:\n    realm: ${options.token.realm}\n    service: ${options.token.service}\n    issuer: ${options.token.issuer}\n    rootcertbundle: ${options.token.certFile}\n`
        : '';
    await writeFile(
      join(dir, 'config.yml'),
      `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
    );
    const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const address = `127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await fetch(`http://${address}/v2/`);
        return new RegistryProcess(address, child, dir);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    child.kill();
    throw new Error(`docker-registry did not start on ${address}: ${stderr}`);
  }

  async stop(): Promise<void> {
    this.child.kill();
    await rm(this.dir, { recursive: true, force: true });
  }
}
