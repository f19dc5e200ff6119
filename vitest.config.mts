import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Unit tests run against the sources; Nx, turbo and the e2e workspaces load the built packages.
const alias = [
  { find: /^@hashdock\/core$/, replacement: resolve(import.meta.dirname, 'libs/core/src/index.ts') },
  { find: /^@hashdock\/core\/runtime$/, replacement: resolve(import.meta.dirname, 'libs/core/src/runtime/index.ts') },
  { find: /^@hashdock\/core\/workspace$/, replacement: resolve(import.meta.dirname, 'libs/core/src/workspace/index.ts') },
  { find: /^@hashdock\/core\/names$/, replacement: resolve(import.meta.dirname, 'libs/core/src/names/index.ts') },
  { find: /^@hashdock\/core\/source-reads$/, replacement: resolve(import.meta.dirname, 'libs/core/src/source-reads/index.ts') },
  { find: /^@hashdock\/shared$/, replacement: resolve(import.meta.dirname, 'libs/shared/src/index.ts') },
];

/**
 * Nx's workspace data directory for unit tests, emptied per run: the plugin's inference cache is keyed by its built
 * files, so a result cached before an edit of the sources the tests run would be served after it.
 */
const unitNxData = resolve(import.meta.dirname, '.hashdock/unit-nx-data');
rmSync(unitNxData, { recursive: true, force: true });

const project = (name: string, root: string, extra: { include?: string[]; testTimeout?: number } = {}) => ({
  resolve: { alias },
  test: {
    name,
    env: { NX_WORKSPACE_DATA_DIRECTORY: unitNxData },
    root: resolve(import.meta.dirname, root),
    include: extra.include ?? ['**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.spec.ts'],
    testTimeout: extra.testTimeout ?? 20_000,
    // One worker for many files (no module-level mutable state anywhere): ~0.3 s of start-up saved per file.
    isolate: false,
  },
});

const INTEGRATION = ['e2e/**/*.int.spec.ts', 'libs/**/*.int.spec.ts', 'tools/**/*.int.spec.ts', 'infra/**/*.int.spec.ts'];
/**
 * Integration files that act on the engine or registry as a whole, so must not share them with another file: faults
 * garbage-collects the whole registry (a dry run, reading storage other files would be writing) and times its
 * made-to-race pairs against a proxy.
 */
const RUN_ALONE = ['e2e/faults.int.spec.ts'];

const integration = (name: string, options: { include?: string[]; exclude?: string[]; fileParallelism: boolean; groupOrder: number }) => ({
  resolve: { alias },
  test: {
    name,
    root: import.meta.dirname,
    include: options.include ?? INTEGRATION,
    exclude: ['**/node_modules/**', ...(options.exclude ?? [])],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: options.fileParallelism,
    sequence: { groupOrder: options.groupOrder },
  },
});

export default defineConfig({
  test: {
    // The CI runner's two cores (vitest's default is one worker fewer than the cores). VITEST_MAX_WORKERS overrides.
    maxWorkers: 2,
    projects: [
      project('core', 'libs/core'),
      project('shared', 'libs/shared'),
      project('nx-plugin', 'tools/hashdock'),
      project('api', 'apps/api'),
      project('indexer', 'apps/indexer'),
      project('status', 'apps/status'),
      project('infra', 'infra'),
      project('remote-cache', 'libs/remote-cache'),
      project('workflows', '.github', { testTimeout: 60_000 }),
      // Real engine, real registry, real nx: two files at a time. Each file owns its workspaces, registry namespaces
      // and ports; what one file does to the engine or registry as a whole runs in the group after, alone.
      integration('integration', { exclude: RUN_ALONE, fileParallelism: true, groupOrder: 0 }),
      integration('integration-alone', { include: RUN_ALONE, fileParallelism: false, groupOrder: 1 }),
    ],
  },
});
