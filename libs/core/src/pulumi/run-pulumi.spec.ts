import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PulumiCliMissingError, pulumiSteps, runPulumi } from './run-pulumi';

describe('runPulumi', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-pulumi-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it.each([
    ['preview', [['stack', 'select', '--create', 'prod', '--non-interactive'], ['preview', '--stack', 'prod', '--non-interactive']]],
    ['up', [['stack', 'select', '--create', 'prod', '--non-interactive'], ['up', '--yes', '--skip-preview', '--stack', 'prod', '--non-interactive']]],
  ] as const)('%s runs these steps', (command, steps) => {
    expect(pulumiSteps({ command, stack: 'prod' })).toEqual(steps);
  });

  it('names the missing CLI and says how to get it', async () => {
    const error = await runPulumi({ command: 'up', stack: 'dev', cwd: dir, backendUrl: 'file:///x', binary: join(dir, 'no-such-pulumi'), env: {} }).catch((e) => e);
    expect(error).toBeInstanceOf(PulumiCliMissingError);
    expect(error.message).toMatch(/pulumi CLI \(.*no-such-pulumi\) is not installed/);
    expect(error.message).toContain('https://www.pulumi.com/docs/iac/download-install/');
  });

  it('runs the CLI in the program directory with the local backend and an empty passphrase', async () => {
    // A CLI stand-in that records what it was given: what a machine with pulumi would receive.
    const log = join(dir, 'calls.log');
    await writeFile(join(dir, 'pulumi'), `#!/bin/sh\necho "$PWD|$PULUMI_BACKEND_URL|\${PULUMI_CONFIG_PASSPHRASE-unset}|$*" >> ${log}\n`);
    await chmod(join(dir, 'pulumi'), 0o755);
    await runPulumi({ command: 'preview', stack: 'staging', cwd: dir, backendUrl: `file://${dir}/state`, binary: join(dir, 'pulumi'), env: {} });
    const calls = (await readFile(log, 'utf8')).trim().split('\n');
    expect(calls[0]).toMatch(/\|version$/);
    expect(calls.slice(1)).toEqual([
      `${dir}|file://${dir}/state||stack select --create staging --non-interactive`,
      `${dir}|file://${dir}/state||preview --stack staging --non-interactive`,
    ]);
  });
});
