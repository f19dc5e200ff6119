import { mkdir, mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CopyStep } from './apply-instructions';
import { FsEntry } from './base-filesystem';
import { buildLayer } from './copy-layer';

async function listing(gzip: Uint8Array): Promise<string[]> {
  const tar = extract();
  const lines: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, body, next) => {
      lines.push(`${header.name} ${header.type} ${(header.mode ?? 0).toString(8)} ${header.uid}:${header.gid} ${header.mtime?.getTime()}${header.linkname ? ` -> ${header.linkname}` : ''}`);
      body.on('end', next);
      body.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
  });
  tar.end(gunzipSync(gzip));
  await done;
  return lines;
}

describe('registry builder layers (BuildKit COPY rules)', () => {
  let dir = '';
  const context = [
    { path: 'dist', kind: 'dir' as const },
    { path: 'dist/main.js', kind: 'file' as const },
    { path: 'dist/sub', kind: 'dir' as const },
    { path: 'dist/sub/a.txt', kind: 'file' as const },
    { path: 'dist/link.js', kind: 'symlink' as const },
    { path: 'run.sh', kind: 'file' as const },
  ];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'copy-layer-'));
    await mkdir(join(dir, 'dist/sub'), { recursive: true });
    await writeFile(join(dir, 'dist/main.js'), 'main');
    await writeFile(join(dir, 'dist/sub/a.txt'), 'a');
    await chmod(join(dir, 'dist/sub/a.txt'), 0o660);
    await symlink('main.js', join(dir, 'dist/link.js'));
    await writeFile(join(dir, 'run.sh'), '#!/bin/sh');
    await chmod(join(dir, 'run.sh'), 0o775);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const layer = (fs: Map<string, FsEntry>) => ({ dockerfile: 'Dockerfile', contextDir: dir, context, fs, epoch: 0 });
  const copy = (sources: string[], dest: string, extra: Partial<CopyStep> = {}): CopyStep => ({ kind: 'copy', line: 2, createdBy: 'COPY', sources, dest, ...extra });

  it('a directory source copies its contents into an existing directory, which keeps its own entry out of the layer', async () => {
    const built = await buildLayer(copy(['dist/'], '/app/'), layer(new Map([['app', { type: 'dir', mode: 0o755, uid: 1000, gid: 1000 }]])));
    expect(await listing(built.gzip)).toEqual(['app/link.js symlink 777 0:0 0 -> main.js', 'app/main.js file 644 0:0 0', 'app/sub/ directory 755 0:0 0', 'app/sub/a.txt file 644 0:0 0']);
  });

  it('missing parents are created 0755 and owned like the files (--chown); a file goes under a destination ending in /; --chmod wins', async () => {
    const built = await buildLayer(copy(['run.sh'], '/opt/tools/', { owner: { uid: 5, gid: 6 }, chmod: 0o700 }), layer(new Map()));
    expect(await listing(built.gzip)).toEqual(['opt/ directory 755 5:6 0', 'opt/tools/ directory 755 5:6 0', 'opt/tools/run.sh file 700 5:6 0']);
  });

  it('permissions are git’s whatever the checkout’s umask (0644, 0755 when executable); the same inputs give the same digest', async () => {
    const a = await buildLayer(copy(['run.sh', 'dist/main.js'], '/bin2/'), layer(new Map()));
    expect(await listing(a.gzip)).toEqual(['bin2/ directory 755 0:0 0', 'bin2/main.js file 644 0:0 0', 'bin2/run.sh file 755 0:0 0']);
    const b = await buildLayer(copy(['run.sh', 'dist/main.js'], '/bin2/'), layer(new Map()));
    expect(b.digest).toBe(a.digest);
    expect(b.diffId).not.toBe(b.digest);
  });

  it('refuses what it cannot do as docker would: several sources into a non-directory, a parent that is a symlink, a missing source', async () => {
    await expect(buildLayer(copy(['run.sh', 'dist/main.js'], '/x'), layer(new Map()))).rejects.toThrow('COPY of several sources needs a destination ending in /');
    await expect(buildLayer(copy(['run.sh'], '/lib/x/'), layer(new Map([['lib', { type: 'symlink', mode: 0o777, uid: 0, gid: 0 }]])))).rejects.toThrow('COPY goes through /lib, which is a symlink in the image');
    await expect(buildLayer(copy(['nope'], '/x'), layer(new Map()))).rejects.toThrow('COPY source nope is not in the build context');
  });
});
