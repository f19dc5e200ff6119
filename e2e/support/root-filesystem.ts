import { createHash } from 'node:crypto';
import { execa } from 'execa';
import { extract } from 'tar-stream';
import { runCommand } from '@hashdock/core';

/**
 * An image's root filesystem as docker exports it (`docker create` +
 * `docker export`): path → `type mode uid:gid size sha256|linkname`.
 * Timestamps are left out: the registry builder fixes them, docker keeps the
 * checkout's.
 */
export async function rootFilesystem(reference: string): Promise<Map<string, string>> {
  const id = (await runCommand('/usr/bin/docker', ['create', reference], { timeoutMs: 120_000 })).stdout.trim();
  try {
    const exported = execa('/usr/bin/docker', ['export', id], { stdout: 'pipe', buffer: false });
    const entries = new Map<string, string>();
    const tar = extract();
    const done = new Promise<void>((resolve, reject) => {
      tar.on('entry', (header, body, next) => {
        const hash = createHash('sha256');
        body.on('data', (chunk) => hash.update(chunk as Buffer));
        body.on('end', () => {
          const what = header.type === 'symlink' || header.type === 'link' ? `-> ${header.linkname}` : header.type === 'file' ? hash.digest('hex') : '';
          entries.set(header.name.replace(/\/$/, ''), `${header.type} ${((header.mode ?? 0) & 0o7777).toString(8)} ${header.uid}:${header.gid} ${header.size} ${what}`);
          next();
        });
        body.resume();
      });
      tar.on('finish', resolve);
      tar.on('error', reject);
    });
    exported.stdout!.pipe(tar);
    await Promise.all([done, exported]);
    return entries;
  } finally {
    await runCommand('/usr/bin/docker', ['rm', '-f', id]).catch(() => undefined);
  }
}

/** The runtime part of an image's config as docker reads it. */
export async function runtimeConfig(reference: string): Promise<Record<string, unknown>> {
  const { stdout } = await runCommand('/usr/bin/docker', ['image', 'inspect', '--format', '{{json .Config}}', reference]);
  const config = JSON.parse(stdout) as Record<string, unknown>;
  return Object.fromEntries(['Env', 'Cmd', 'Entrypoint', 'WorkingDir', 'User', 'ExposedPorts', 'Labels', 'StopSignal', 'Healthcheck'].map((field) => [field, config[field] ?? null]));
}
