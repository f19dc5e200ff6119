import { homedir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { normalizeSecretFiles, withSecretFiles } from './secret-files';

describe('secret files', () => {
  it('takes id → path, ~ as the home directory and relative paths from the workspace root', () => {
    expect(normalizeSecretFiles({ npmrc: '~/.npmrc', gcp: 'secrets/sa.json', abs: '/etc/key' }, undefined, '/ws', 'project api')).toEqual({
      npmrc: `${homedir()}/.npmrc`,
      gcp: '/ws/secrets/sa.json',
      abs: '/etc/key',
    });
  });

  it.each([
    [['npmrc'], undefined, 'project api: option "secretFiles" must be an object of id → file path'],
    [{ 'bad id': '/x' }, undefined, 'project api: secret file id "bad id" may use only letters'],
    [{ npmrc: '/x' }, { npmrc: 'NPMRC' }, 'project api: secret "npmrc" is in both "secrets" and "secretFiles"; keep one'],
  ])('refuses %j (secrets %j), naming the project', (value, secrets, message) => {
    expect(() => normalizeSecretFiles(value, secrets, '/ws', 'project api')).toThrow(message);
  });

  it('passes secret files as they are beside the env secrets it writes, and names a missing one before anything runs', async () => {
    const seen = await withSecretFiles({ token: 'TOKEN' }, { TOKEN: 't' }, async (files) => Object.keys(files).sort(), { npmrc: __filename });
    expect(seen).toEqual(['npmrc', 'token']);
    await expect(withSecretFiles(undefined, {}, async () => 'ran', { npmrc: '/no/such/npmrc' })).rejects.toThrow('Secret file "npmrc" is /no/such/npmrc, which does not exist');
  });
});
