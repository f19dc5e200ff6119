import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { processesWith, waitUntil } from '../../../../e2e/support/processes';

const environment = await checkEnvironment();
const CORE_DIST = resolve(import.meta.dirname, '../../dist/index.js');

/**
 * A parent (standing in for nx) starts a task process that runs a slow docker
 * build through the core library, then is killed with SIGKILL: the task
 * process notices and the build's whole process tree stops.
 */
describe.skipIf(!environment.available)('a task tied to its parent: SIGKILL of the parent stops docker', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-parent-'));
    await writeFile(join(dir, 'Dockerfile'), 'ARG ROOT\nFROM ${ROOT}\nARG NONCE\nRUN ["node", "-e", "setTimeout(() => {}, 120000)"]\n');
    await writeFile(
      join(dir, 'task.cjs'),
      `const core = require(${JSON.stringify(CORE_DIST)});
const controller = new AbortController();
core.abortWhenParentDies(controller);
new core.DockerDriver({ stream: false })
  .build({ dockerfile: ${JSON.stringify(join(dir, 'Dockerfile'))}, contextDir: ${JSON.stringify(dir)}, tags: [], buildArgs: { ROOT: process.argv[2], NONCE: process.argv[3] } }, {}, controller.signal)
  .then(() => process.exit(0), () => process.exit(1));
`,
    );
    await writeFile(
      join(dir, 'parent.cjs'),
      `const { fork, spawn } = require('node:child_process');
const [mode, root, nonce] = process.argv.slice(2);
const task = ${JSON.stringify(join(dir, 'task.cjs'))};
if (mode === 'fork') fork(task, [root, nonce], { stdio: 'ignore' });
else spawn(process.execPath, [task, root, nonce], { stdio: 'ignore' });
setInterval(() => {}, 1000);
`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it.each([['fork', 'with an IPC channel (how Nx starts task processes)'], ['spawn', 'without one (re-parenting)']])('%s: %s', async (mode) => {
    const nonce = `parent-watch-${mode}-${Date.now()}`;
    const parent = spawn(process.execPath, [join(dir, 'parent.cjs'), mode, await localRootImage(), nonce], { stdio: 'ignore' });
    try {
      await waitUntil('docker building', 30_000, async () => (await processesWith(`NONCE=${nonce}`)).length > 0);
      parent.kill('SIGKILL');
      // Within the cancel grace (3 s) and some: a docker process left behind would be named below.
      await waitUntil('the task and every docker process gone', 15_000, async () => (await processesWith(nonce)).length === 0).catch(async (error: Error) => {
        const left = await Promise.all(
          (await processesWith(nonce)).map(async (pid) => {
            // State and parent (after the command name): whether it is orphaned, and stopped or running.
            const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
            const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
            return `${pid} (state ${state}, parent ${ppid}): ${(await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').slice(0, 200)}`;
          }),
        );
        throw new Error(`${error.message}; still running:\n${left.join('\n')}`);
      });
      expect(await processesWith(nonce)).toEqual([]);
    } finally {
      parent.kill('SIGKILL');
      for (const pid of await processesWith(nonce)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
