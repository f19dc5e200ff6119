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

const project = (name: string, root: string, extra: { include?: string[]; testTimeout?: number } = {}) => ({
  resolve: { alias },
  test: {
    name,
    root: resolve(import.meta.dirname, root),
    include: extra.include ?? ['**/*.spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/*.int.spec.ts'],
    testTimeout: extra.testTimeout ?? 20_000,
    // One worker for many files (no module-level mutable state anywhere): ~0.3 s of start-up saved per file.
    isolate: false,
  },
});

export default defineConfig({
  test: {
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
      // Real engine, real registry, real nx: one file at a time, they share the registry.
      {
        resolve: { alias },
        test: {
          name: 'integration',
          root: import.meta.dirname,
          include: ['e2e/**/*.int.spec.ts', 'libs/**/*.int.spec.ts', 'tools/**/*.int.spec.ts', 'infra/**/*.int.spec.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 600_000,
          hookTimeout: 600_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
