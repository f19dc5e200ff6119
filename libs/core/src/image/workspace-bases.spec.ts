import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryClient } from '../registry/client';
import { ImageBuildOptions } from './image-options';
import { BaseNotBuiltError, resolveBases } from './workspace-bases';

describe('resolveBases', () => {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hashdock-bases-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('a workspace image not built yet in this checkout (turbo ran this image first): names the FROM line, the base and how to order them', async () => {
    const options = { dockerfile: 'apps/api/Dockerfile', manifestDir: dir, workspaceImages: { 'acme/base': 'base' } } as unknown as ImageBuildOptions;
    const failure = resolveBases(options, 'ARG APP_BASE=acme/base\nFROM ${APP_BASE}\nCOPY dist /app\n', {} as RegistryClient);
    await expect(failure).rejects.toBeInstanceOf(BaseNotBuiltError);
    await expect(failure).rejects.toThrow(
      `apps/api/Dockerfile:2: FROM the workspace image base, which has not been built here (no ${join(dir, 'base.json')}). Build it first: Nx orders this itself (nx run-many -t image); turbo orders by package dependencies only`,
    );
  });
});
