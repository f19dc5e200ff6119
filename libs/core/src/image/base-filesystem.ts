import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { HashdockError } from '../errors';
import { writeFileAtomic } from '../files/write-file-atomic';
import { RegistryClient } from '../registry/client';
import { Owner } from './apply-instructions';

export interface FsEntry {
  type: 'dir' | 'file' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
}

/** What the registry builder needs to know of a base's root filesystem. */
export interface BaseFilesystem {
  /** Path without leading `/` → entry. */
  entries: Map<string, FsEntry>;
  passwd?: string;
  group?: string;
}

/** The path as a root filesystem key: no leading `./` or `/`, no trailing `/`. */
export function fsKey(name: string): string {
  return name.replace(/^\.?\/+/, '').replace(/\/+$/, '');
}

function remove(entries: Map<string, FsEntry>, path: string, childrenOnly: boolean): void {
  if (!childrenOnly) entries.delete(path);
  const prefix = path ? `${path}/` : '';
  for (const key of [...entries.keys()]) if (key.startsWith(prefix) && key !== path) entries.delete(key);
}

/** Apply one layer's tar (gzip or plain) to the index: whiteouts remove, entries replace. */
async function applyLayer(stream: Readable, gzipped: boolean, fs: BaseFilesystem): Promise<void> {
  const tar = extract();
  const done = new Promise<void>((resolve, reject) => {
    tar.on('entry', (header, body, next) => {
      const path = fsKey(header.name);
      const base = path.slice(path.lastIndexOf('/') + 1);
      const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
      const capture = path === 'etc/passwd' || path === 'etc/group';
      const chunks: Buffer[] = [];
      body.on('data', (chunk) => {
        if (capture) chunks.push(chunk as Buffer);
      });
      body.on('end', () => {
        if (base === '.wh..wh..opq') remove(fs.entries, parent, true);
        else if (base.startsWith('.wh.')) remove(fs.entries, parent ? `${parent}/${base.slice(4)}` : base.slice(4), false);
        else if (path) {
          const type = header.type === 'directory' ? 'dir' : header.type === 'symlink' ? 'symlink' : header.type === 'file' || header.type === 'contiguous-file' || header.type === 'link' ? 'file' : 'other';
          fs.entries.set(path, { type, mode: (header.mode ?? 0) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0 });
          if (path === 'etc/passwd') fs.passwd = Buffer.concat(chunks).toString('utf8');
          if (path === 'etc/group') fs.group = Buffer.concat(chunks).toString('utf8');
        }
        next();
      });
      body.resume();
    });
    tar.on('finish', resolve);
    tar.on('error', reject);
    stream.on('error', reject);
  });
  (gzipped ? stream.pipe(createGunzip()).on('error', (error) => tar.destroy(error)) : stream).pipe(tar);
  await done;
}

interface Stored {
  entries: [string, FsEntry['type'], number, number, number][];
  passwd?: string;
  group?: string;
}

/**
 * The root filesystem of an image, from its layers (read once, then kept in
 * a per-machine cache keyed by the layer digests): which directories exist,
 * with what owner and mode, where symlinks are, and /etc/passwd and
 * /etc/group for USER and --chown names.
 */
export async function baseFilesystem(client: RegistryClient, repository: string, layers: readonly { digest: string; mediaType: string }[], cacheDir = join(tmpdir(), 'hashdock-base-fs')): Promise<BaseFilesystem> {
  const key = createHash('sha256').update(layers.map((layer) => layer.digest).join('\n')).digest('hex');
  const file = join(cacheDir, `${key}.json`);
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as Stored;
    return { entries: new Map(stored.entries.map(([path, type, mode, uid, gid]) => [path, { type, mode, uid, gid }])), passwd: stored.passwd, group: stored.group };
  } catch {
    // Not cached yet.
  }
  const fs: BaseFilesystem = { entries: new Map() };
  for (const layer of layers) {
    const response = await client.request(repository, { method: 'GET', path: `blobs/${layer.digest}`, expect: [200] });
    if (!response.body) throw new HashdockError('REGISTRY_PROTOCOL', `${repository}@${layer.digest}: empty blob response`);
    const gzipped = !/tar$/.test(layer.mediaType);
    await applyLayer(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>), gzipped, fs);
  }
  const stored: Stored = { entries: [...fs.entries].map(([path, entry]) => [path, entry.type, entry.mode, entry.uid, entry.gid]), passwd: fs.passwd, group: fs.group };
  await writeFileAtomic(file, JSON.stringify(stored));
  return fs;
}

/** `uid[:gid]` or `name[:group]` against the image's /etc/passwd and /etc/group, as Docker resolves --chown (and BuildKit the owner of WORKDIR's directories). */
export function ownerResolver(fs: BaseFilesystem): (spec: string) => Owner | undefined {
  const table = (text: string | undefined) => new Map((text ?? '').split('\n').filter(Boolean).map((line) => line.split(':')).map((fields) => [fields[0], fields] as [string, string[]]));
  const users = table(fs.passwd);
  const groups = table(fs.group);
  return (spec) => {
    const [user, group] = spec.split(':');
    const uid = /^\d+$/.test(user) ? Number(user) : users.has(user) ? Number(users.get(user)![2]) : undefined;
    if (uid === undefined) return undefined;
    // Docker: "a username without groupname or a UID without GID will use the same numeric UID as the GID".
    const gid = group === undefined ? uid : /^\d+$/.test(group) ? Number(group) : groups.has(group) ? Number(groups.get(group)![2]) : undefined;
    return gid === undefined ? undefined : { uid, gid };
  };
}
