import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ImageManifest, runCommand } from '@hashdock/core';
import { CommandRun, runCapturing } from './run-capturing';
import { REPO_ROOT } from './sandbox-workspace';
import { NPM_REGISTRY } from './published-packages';

/**
 * A workspace in a temp directory outside this repository, installing only
 * from the local npm registry: what a user who adopts Hashdock has.
 */
export class OutsideWorkspace {
  readonly dockerLog: string;

  private constructor(readonly root: string, readonly namespace: string) {
    this.dockerLog = join(root, '.docker-calls.log');
  }

  static async create(namespace: string, files: Record<string, string>): Promise<OutsideWorkspace> {
    const root = await mkdtemp(join(tmpdir(), 'hashdock-user-'));
    const workspace = new OutsideWorkspace(root, namespace);
    await workspace.write({
      // A stalled download is retried within a minute instead of npm's 5-minute default wait (× 3 tries).
      '.npmrc': `registry=${NPM_REGISTRY}\nfetch-timeout=60000\nfetch-retries=5\nfetch-retry-mintimeout=1000\nfetch-retry-maxtimeout=15000\n`,
      '.gitignore': 'node_modules\ndist\n.nx\n',
      '.docker-shim': `#!/bin/sh\necho "$*" >> "${workspace.dockerLog}"\nexec /usr/bin/docker "$@"\n`,
      ...files,
    });
    await runCommand('chmod', ['+x', join(root, '.docker-shim')]);
    await workspace.git('init', '-q', '-b', 'main');
    return workspace;
  }

  async write(files: Record<string, string>): Promise<void> {
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(this.root, path)), { recursive: true });
      await writeFile(join(this.root, path), text);
    }
  }

  async git(...args: string[]): Promise<void> {
    await runCommand('git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@hashdock.invalid', ...args], { cwd: this.root });
  }

  async commit(message: string): Promise<void> {
    await this.git('add', '-A');
    await this.git('commit', '-q', '--allow-empty', '-m', message);
  }

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      // The repo's Node 24 and npm first; nothing else of the repo (no TypeScript loaders, no node_modules).
      PATH: `${join(REPO_ROOT, 'node_modules/node/bin')}:${process.env.PATH}`,
      npm_config_registry: NPM_REGISTRY,
      NX_DAEMON: 'false',
      NX_NO_CLOUD: 'true',
      NX_TUI: 'false',
      NX_SKIP_NX_CACHE: 'false',
      HASHDOCK_NAMESPACE: this.namespace,
      HASHDOCK_DOCKER: join(this.root, '.docker-shim'),
      // The docker path, counted through the shim, unless a test asks for the default builder.
      HASHDOCK_BUILDER: 'docker',
      ...extra,
    };
  }

  /** Run a command in the workspace; never throws on a non-zero exit. */
  run(command: string, args: string[], extra: Record<string, string> = {}): Promise<CommandRun> {
    return runCapturing(command, args, { cwd: this.root, env: this.env(extra) });
  }

  /** Run and require success, with the output in the failure message. */
  async ok(command: string, args: string[], extra: Record<string, string> = {}): Promise<string> {
    const run = await this.run(command, args, extra);
    if (run.exitCode !== 0) throw new Error(`${command} ${args.join(' ')} exited ${run.exitCode} in ${this.root}:\n${run.output.slice(-4000)}`);
    return run.output;
  }

  nx(args: string[], extra: Record<string, string> = {}): Promise<CommandRun> {
    const runsTasks = ['run', 'run-many', 'affected'].includes(args[0]);
    return this.run(join(this.root, 'node_modules/.bin/nx'), runsTasks ? [...args, '--outputStyle=stream'] : args, extra);
  }

  async manifest(image: string): Promise<ImageManifest> {
    return JSON.parse(await readFile(join(this.root, 'dist/images', `${image}.json`), 'utf8'));
  }

  /** Images docker built since the last call (by the content-hash label of each build). */
  async takeBuilds(): Promise<string[]> {
    const text = await readFile(this.dockerLog, 'utf8').catch(() => '');
    await rm(this.dockerLog, { force: true });
    return text
      .split('\n')
      .map((line) => line.replace(/^buildx /, ''))
      .filter((line) => line.startsWith('build '))
      .map((line) => /--tag \S+\/([^/:\s]+):/.exec(line)?.[1] ?? '?')
      .sort();
  }

  async remove(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }
}
