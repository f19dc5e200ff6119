import { chmod, cp, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ImageManifest, runCommand } from '@hashdock/core';
import { CommandRun, runCapturing } from './run-capturing';

export const REPO_ROOT = process.env.HASHDOCK_REPO_ROOT ?? resolve(import.meta.dirname, '../..');

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'hashdock-e2e',
  GIT_AUTHOR_EMAIL: 'e2e@hashdock.invalid',
  GIT_COMMITTER_NAME: 'hashdock-e2e',
  GIT_COMMITTER_EMAIL: 'e2e@hashdock.invalid',
};

export type NxRun = CommandRun;

/**
 * A copy of this workspace (tracked and untracked-but-not-ignored files) in a
 * temp directory with its own git history, Nx cache and registry namespace, and
 * a docker shim that logs every docker invocation.
 */
export class SandboxWorkspace {
  readonly namespace: string;
  readonly dockerLog: string;

  private constructor(readonly root: string, namespace: string) {
    this.namespace = namespace;
    this.dockerLog = join(root, '.hashdock', 'docker-calls.log');
  }

  static async create(namespace: string, parent?: string): Promise<SandboxWorkspace> {
    const root = await mkdtemp(join(parent ?? tmpdir(), 'hashdock-ws-'));
    const { stdout } = await runCommand('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT });
    for (const file of stdout.split('\0').filter(Boolean)) {
      const source = join(REPO_ROOT, file);
      const exists = await stat(source).catch(() => undefined);
      if (!exists) continue;
      await mkdir(dirname(join(root, file)), { recursive: true });
      await cp(source, join(root, file), { preserveTimestamps: false });
    }
    await symlink(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
    const sandbox = new SandboxWorkspace(root, namespace);
    await mkdir(join(root, '.hashdock'), { recursive: true });
    const shim = join(root, '.hashdock', 'docker-shim');
    await writeFile(shim, `#!/bin/sh\necho "$*" >> "${sandbox.dockerLog}"\nexec /usr/bin/docker "$@"\n`);
    await chmod(shim, 0o755);
    await sandbox.git('init', '-q', '-b', 'main');
    await sandbox.commit('initial');
    return sandbox;
  }

  /** A second clone of `other` at another path: same commit, same namespace, its own Nx cache. */
  static async cloneOf(other: SandboxWorkspace, parent?: string): Promise<SandboxWorkspace> {
    const clone = await SandboxWorkspace.create(other.namespace, parent);
    await clone.git('fetch', '-q', other.root, 'main');
    await clone.git('reset', '-q', '--hard', 'FETCH_HEAD');
    return clone;
  }

  async git(...args: string[]): Promise<string> {
    return (await runCommand('git', args, { cwd: this.root, env: GIT_ENV })).stdout;
  }

  async commit(message: string): Promise<void> {
    await this.git('add', '-A');
    await this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      NX_DAEMON: 'false',
      // Plugins loaded in Nx's own process, not a worker per run: ~0.6 s less per nx run (what these suites check
      // is the same either way; the adopt suites, OutsideWorkspace, run Nx's default: isolated plugins).
      NX_ISOLATE_PLUGINS: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      // Nx 23 shares one cache between checkouts of a workspace under ~/.nx; a sandbox is a fresh machine.
      NX_CACHE_DIRECTORY: join(this.root, '.nx', 'cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(this.root, '.nx', 'workspace-data'),
      HASHDOCK_NAMESPACE: this.namespace,
      HASHDOCK_DOCKER: join(this.root, '.hashdock', 'docker-shim'),
      // These suites check the docker path (builds counted through the shim); the registry builder
      // (the default, auto) has its own suite, e2e/registry-builder.int.spec.ts.
      HASHDOCK_BUILDER: 'docker',
      ...extra,
    };
  }

  /** Run nx; never throws on a non-zero exit, returns it with the combined output. */
  nx(args: string[], env: Record<string, string> = {}): Promise<NxRun> {
    const runsTasks = ['run', 'run-many', 'affected'].includes(args[0]);
    return runCapturing(join(this.root, 'node_modules/.bin/nx'), runsTasks ? [...args, '--outputStyle=stream'] : args, { cwd: this.root, env: this.env(env) });
  }

  async manifest(project: string, dir = 'dist/images'): Promise<ImageManifest> {
    return JSON.parse(await readFile(join(this.root, dir, `${project}.json`), 'utf8'));
  }

  async manifestExists(project: string, dir = 'dist/images'): Promise<boolean> {
    return (await stat(join(this.root, dir, `${project}.json`)).catch(() => undefined)) !== undefined;
  }

  /** Docker subcommands run since the last call, e.g. ["build ...", "push ..."] (`buildx build` counts as `build`). */
  async takeDockerCalls(): Promise<string[]> {
    const text = await readFile(this.dockerLog, 'utf8').catch(() => '');
    await rm(this.dockerLog, { force: true });
    return text.split('\n').filter(Boolean).map((call) => call.replace(/^buildx /, ''));
  }

  async edit(path: string, change: (text: string) => string): Promise<void> {
    const file = join(this.root, path);
    await writeFile(file, change(await readFile(file, 'utf8')));
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}

export const builtProjects = (calls: string[]): string[] =>
  calls
    .filter((call) => call.startsWith('build '))
    .map((call) => /--label dev\.hashdock\.project=(\S+)/.exec(call)?.[1] ?? '?')
    .sort();
