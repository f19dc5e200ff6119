import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HashdockError } from '../errors';
import { findWorkspaceRoot } from './image-command';

describe('hashdock image outside a workspace', () => {
  let dir = '';
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('names the nx.json entry it reads, and the file a workspace without Nx needs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-no-ws-'));
    await mkdir(join(dir, 'apps/svc'), { recursive: true });
    const attempt = () => findWorkspaceRoot(join(dir, 'apps/svc'));
    expect(attempt).toThrow(HashdockError);
    expect(attempt).toThrow(`No nx.json above ${join(dir, 'apps/svc')}: not inside a Hashdock workspace.`);
    expect(attempt).toThrow('{ "plugins": [{ "plugin": "@hashdock/nx-plugin", "options": { "registry": "ghcr.io", "namespace": "acme" } }] }');
  });
});
