import { createHash } from 'node:crypto';
import { lstat, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ContextEntry } from '../hash/context-files';
import { gitMode } from '../hash/git-mode';
import { globRegExp, hasGlobMeta } from '../hash/glob-syntax';
import { CopyStep, LayerStep, Owner, RegistryBuildUnsupportedError } from './apply-instructions';
import { FsEntry } from './base-filesystem';

/** A layer ready to push: gzip bytes, their digest, and the digest of the tar inside (diff_id). */
export interface BuiltLayer {
  gzip: Uint8Array<ArrayBuffer>;
  digest: string;
  diffId: string;
  entries: number;
}

interface LayerEntry {
  path: string;
  type: 'dir' | 'file' | 'symlink';
  mode: number;
  owner: Owner;
  /** Context-relative source of a file's bytes. */
  source?: string;
  linkname?: string;
}

export interface LayerContext {
  dockerfile: string;
  contextDir: string;
  /** Every entry Docker sends (after .dockerignore), from the content hash. */
  context: readonly ContextEntry[];
  /** The image's filesystem so far (base plus earlier layers); updated with this layer. */
  fs: Map<string, FsEntry>;
  /** Seconds since the epoch for every timestamp in the layer (SOURCE_DATE_EPOCH or 0). */
  epoch: number;
}

const ROOT: Owner = { uid: 0, gid: 0 };
const clean = (path: string) => posix.normalize(`/${path}`).slice(1).replace(/\/$/, '') || '.';

/** Context entries a COPY source names: the path itself or, for a wildcard, every entry it matches. */
function matches(step: CopyStep, source: string, context: readonly ContextEntry[], dockerfile: string): ContextEntry[] {
  const path = clean(source);
  if (path === '.') return [{ path: '.', kind: 'dir' }];
  if (hasGlobMeta(path)) {
    const pattern = globRegExp(path);
    return context.filter((entry) => pattern.test(entry.path));
  }
  const entry = context.find((candidate) => candidate.path === path);
  if (!entry) throw new RegistryBuildUnsupportedError(dockerfile, step.line, `COPY source ${source} is not in the build context`);
  return [entry];
}

/**
 * The entries one layer step adds, with Docker's (BuildKit's) rules: a
 * directory source copies its contents; a file goes to `dest` itself unless
 * `dest` ends in `/`, is an existing directory, or there are several sources;
 * missing parents are created 0755, owned by --chown's user or root;
 * permissions are git's (0644/0755, or --chmod's), where docker would keep
 * the checkout's; symlinks are copied as symlinks. A destination
 * whose parent is a symlink in the image is left to docker.
 */
async function layerEntries(step: LayerStep, layer: LayerContext): Promise<LayerEntry[]> {
  const added = new Map<string, LayerEntry>();
  const exists = (path: string) => added.get(path)?.type ?? layer.fs.get(path)?.type;
  const ensureDir = (path: string, owner: Owner) => {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const type = exists(dir);
      if (type === 'dir') continue;
      if (type) throw new RegistryBuildUnsupportedError(layer.dockerfile, step.line, `${step.kind === 'copy' ? 'COPY' : 'WORKDIR'} goes through /${dir}, which is a ${type} in the image`);
      added.set(dir, { path: dir, type: 'dir', mode: 0o755, owner });
    }
  };
  if (step.kind === 'workdir') {
    ensureDir(step.path, step.owner ?? ROOT);
    return [...added.values()];
  }
  const owner = step.owner ?? ROOT;
  const sources = step.sources.flatMap((source) => matches(step, source, layer.context, layer.dockerfile));
  const several = sources.length > 1 || step.sources.some((source) => hasGlobMeta(clean(source)));
  const dest = clean(step.dest.slice(1));
  const intoDir = step.dest.endsWith('/') || several || exists(dest) === 'dir';
  if (several && !step.dest.endsWith('/')) throw new RegistryBuildUnsupportedError(layer.dockerfile, step.line, 'COPY of several sources needs a destination ending in /');
  const put = async (contextPath: string, kind: ContextEntry['kind'], target: string) => {
    const stat = await lstat(join(layer.contextDir, contextPath));
    // Permissions as git records them, so a checkout's umask never reaches the image (see gitMode).
    const mode = step.chmod ?? gitMode(kind === 'dir' ? 'dir' : 'file', stat.mode);
    const parent = posix.dirname(target);
    if (parent !== '.') ensureDir(parent, owner);
    if (kind === 'dir') {
      if (exists(target) === 'dir' && !added.has(target)) return;
      added.set(target, { path: target, type: 'dir', mode, owner });
    } else if (kind === 'symlink') added.set(target, { path: target, type: 'symlink', mode: 0o777, owner, linkname: await readlink(join(layer.contextDir, contextPath)) });
    else added.set(target, { path: target, type: 'file', mode, owner, source: contextPath });
  };
  for (const source of sources) {
    if (source.pathBytes) throw new RegistryBuildUnsupportedError(layer.dockerfile, step.line, `COPY source ${source.path} has a name that is not UTF-8`);
    if (source.kind === 'symlink') throw new RegistryBuildUnsupportedError(layer.dockerfile, step.line, `COPY source ${source.path} is a symbolic link (docker copies what it points to)`);
    if (source.kind === 'dir') {
      // The contents, not the directory: the destination directory is created like a parent.
      const root = dest === '.' ? '' : dest;
      if (root) ensureDir(root, owner);
      const prefix = source.path === '.' ? '' : `${source.path}/`;
      for (const entry of layer.context) {
        if (!entry.path.startsWith(prefix) || entry.path === source.path || entry.path === '.') continue;
        if (entry.pathBytes) throw new RegistryBuildUnsupportedError(layer.dockerfile, step.line, `COPY source ${entry.path} has a name that is not UTF-8`);
        await put(entry.path, entry.kind, root ? `${root}/${entry.path.slice(prefix.length)}` : entry.path.slice(prefix.length));
      }
    } else {
      const target = intoDir ? (dest === '.' ? posix.basename(source.path) : `${dest}/${posix.basename(source.path)}`) : dest;
      await put(source.path, source.kind, target);
    }
  }
  return [...added.values()];
}

/** Deterministic tar (sorted paths, fixed times, numeric owners, no user or group names) in gzip at a fixed level. */
async function writeLayer(entries: LayerEntry[], layer: LayerContext): Promise<BuiltLayer> {
  const tar = pack();
  const chunks: Buffer[] = [];
  tar.on('data', (chunk) => {
    chunks.push(chunk as Buffer);
  });
  const ended = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const mtime = new Date(layer.epoch * 1000);
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const entry of sorted) {
    // Directory names end in `/`, as in the layers docker writes (Go's archive/tar).
    const header = { name: entry.type === 'dir' ? `${entry.path}/` : entry.path, mode: entry.mode, uid: entry.owner.uid, gid: entry.owner.gid, uname: '', gname: '', mtime };
    if (entry.type === 'dir') tar.entry({ ...header, type: 'directory' });
    else if (entry.type === 'symlink') tar.entry({ ...header, type: 'symlink', linkname: entry.linkname });
    else {
      const bytes = await readFile(join(layer.contextDir, entry.source!));
      await new Promise<void>((resolve, reject) => tar.entry({ ...header, type: 'file', size: bytes.length }, bytes, (error) => (error ? reject(error) : resolve())));
    }
  }
  tar.finalize();
  await ended;
  const raw = Buffer.concat(chunks);
  const gzip = new Uint8Array(gzipSync(raw, { level: 6 }));
  const sha = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  return { gzip, digest: sha(gzip), diffId: sha(raw), entries: sorted.length };
}

/** Build the layer of one COPY or WORKDIR step and record what it adds in `layer.fs`. */
export async function buildLayer(step: LayerStep, layer: LayerContext): Promise<BuiltLayer> {
  const entries = await layerEntries(step, layer);
  for (const entry of entries) layer.fs.set(entry.path, { type: entry.type, mode: entry.mode, uid: entry.owner.uid, gid: entry.owner.gid });
  return writeLayer(entries, layer);
}
