import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentHash, contextScopeOf, createXxHasher } from '@hashdock/core';
import { medianSeconds, Row } from './support';

const PROJECTS = 200;
const IMAGES = 20;
const SOURCES_PER_PROJECT = 24;
const SOURCE_BYTES = 6 * 1024;
const BUNDLE_BYTES = 96 * 1024;

/** A 200-project workspace built from its root (`-f apps/svc-N/Dockerfile`), each service shipping only its bundle. */
async function makeWorkspace(root: string): Promise<{ files: number; bytes: number }> {
  const chunk = Buffer.alloc(BUNDLE_BYTES);
  for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 2654435761) >>> 24;
  let files = 0;
  let bytes = 0;
  for (let p = 0; p < PROJECTS; p++) {
    const project = join(root, 'apps', `svc-${p}`);
    await mkdir(join(project, 'src'), { recursive: true });
    await mkdir(join(project, 'dist'), { recursive: true });
    for (let s = 0; s < SOURCES_PER_PROJECT; s++) {
      await writeFile(join(project, 'src', `module-${s}.ts`), chunk.subarray(p + s, p + s + SOURCE_BYTES));
      files++;
      bytes += SOURCE_BYTES;
    }
    await writeFile(join(project, 'dist', 'main.js'), chunk.subarray(p, p + BUNDLE_BYTES - 256));
    files++;
    bytes += BUNDLE_BYTES - 256;
    await writeFile(join(project, 'Dockerfile'), `ARG BASE_IMAGE=acme/base\nFROM \${BASE_IMAGE}\nCOPY apps/svc-${p}/dist /app\nCMD ["node", "/app/main.js"]\n`);
  }
  await writeFile(join(root, '.dockerignore'), '.git\nnode_modules\n');
  return { files, bytes };
}

/**
 * Hashing a workspace-root context for 20 images: every context file (what
 * Hashdock did before, and still does for `COPY . .`) against only what each
 * Dockerfile's COPY sources reach. Both walk the whole context; only the
 * hashing is narrowed.
 */
export async function benchNarrowing(): Promise<Row[]> {
  const root = await mkdtemp(join(tmpdir(), 'hashdock-bench-narrow-'));
  try {
    const { files, bytes } = await makeWorkspace(root);
    console.log(`narrowing bench: ${PROJECTS} projects, ${files} files, ${(bytes / 1024 / 1024).toFixed(0)} MiB, ${IMAGES} images from the workspace root (page cache warm)`);
    const hasher = await createXxHasher();
    const images = Array.from({ length: IMAGES }, (_, i) => join(root, 'apps', `svc-${i}`, 'Dockerfile'));
    const hashAll = (narrow: boolean) => async () => {
      for (const dockerfile of images) {
        const text = `ARG BASE_IMAGE=acme/base\nFROM \${BASE_IMAGE}\nCOPY ${dockerfile.slice(root.length + 1, -'/Dockerfile'.length)}/dist /app\n`;
        await contentHash({ contextDir: root, dockerfile, platform: 'linux/amd64', scope: narrow ? contextScopeOf(text) : { kind: 'context', reason: 'bench' } }, hasher);
      }
    };
    const whole = await medianSeconds(5, hashAll(false));
    const narrowed = await medianSeconds(5, hashAll(true));
    return [
      {
        benchmark: `20 images, root context of ${PROJECTS} projects: COPY-narrowed hash vs whole context (share saved ${((1 - narrowed / whole) * 100).toFixed(0)}%)`,
        subject: 'narrowed',
        baseline: 'whole context',
        subjectSeconds: narrowed,
        baselineSeconds: whole,
        goal: 'report',
        met: narrowed < whole,
      },
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
