import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSshForwards, normalizeSshForwards } from './ssh-forwards';

describe('ssh forwards', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-ssh-'));
    await writeFile(join(dir, 'id_ed25519'), 'not a real key\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps docker --ssh syntax, making key paths absolute from the workspace root', () => {
    expect(normalizeSshForwards(['default', 'github=keys/gh', 'ci=/run/agent.sock,/keys/b'], '/ws', 'project api')).toEqual(['default', 'github=/ws/keys/gh', 'ci=/run/agent.sock,/keys/b']);
  });

  it.each([
    ['default', 'project api: option "ssh" must be an array of strings'],
    [['git hub'], 'project api: ssh id "git hub" may use only letters'],
    [['github='], 'project api: ssh "github=" names no agent socket or key after "="'],
  ])('refuses %j, naming the project and the value', (value, message) => {
    expect(() => normalizeSshForwards(value, '/ws', 'project api')).toThrow(message);
  });

  it('names what a forward lacks before docker runs: the agent variable, or the key path', () => {
    expect(() => checkSshForwards(['default'], {})).toThrow('ssh "default" forwards the agent at SSH_AUTH_SOCK, which is not set');
    expect(() => checkSshForwards(['default'], { SSH_AUTH_SOCK: '/run/agent.sock' })).not.toThrow();
    expect(() => checkSshForwards([`github=${join(dir, 'id_ed25519')}`], {})).not.toThrow();
    expect(() => checkSshForwards([`github=${join(dir, 'missing')}`], {})).toThrow(`ssh "github": ${join(dir, 'missing')} does not exist`);
  });
});
