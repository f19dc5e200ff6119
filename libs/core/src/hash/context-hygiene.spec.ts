import { describe, expect, it } from 'vitest';
import { contextHygiene, hygieneWarning, LARGE_CONTEXT_FILES, selfChangingWarning } from './context-hygiene';

const dir = (path: string) => ({ path, kind: 'dir' as const });
const file = (path: string) => ({ path, kind: 'file' as const });

describe('contextHygiene', () => {
  it('names .git, node_modules, .nx and the manifest directory with the lines that would drop them', () => {
    const hygiene = contextHygiene([dir('.git'), dir('node_modules'), dir('apps/api/node_modules'), dir('.nx'), dir('dist/images'), file('dist/images/api.json'), file('src/a.ts')], 'dist/images');
    expect(hygiene.ignoreLines).toEqual(['.git', '**/node_modules', '.nx', 'dist/images']);
    expect(hygieneWarning('.', hygiene)).toBe(
      'hashdock: warning: the build context . sends .git, node_modules (and 1 more), .nx, dist/images (Hashdock\'s manifests) to Docker on every build of an image built from it; add to .dockerignore: .git, **/node_modules, .nx, dist/images',
    );
  });

  it('warns about more than 20,000 files, and says nothing about a clean context', () => {
    const many = Array.from({ length: LARGE_CONTEXT_FILES + 1 }, (_, i) => file(`f${i}`));
    expect(contextHygiene(many).problems).toEqual([`${LARGE_CONTEXT_FILES + 1} files (more than 20000)`]);
    expect(hygieneWarning('apps/api', contextHygiene([dir('dist'), file('dist/main.js')], '../../dist/images'))).toBeUndefined();
  });
});

describe('selfChangingWarning', () => {
  it('names an image whose hash covers .git, .nx or the manifests (COPY . . without a .dockerignore): never the same hash twice', () => {
    expect(selfChangingWarning('source', ['package.json', '.git/HEAD', '.nx/workspace-data/project-graph.json', 'dist/images/api.json'].map(file), 'dist/images')).toBe(
      "hashdock: warning: source copies .git (git's data, different in every clone), .nx (Nx's data, rewritten by every run) and dist/images (Hashdock's manifests, rewritten by every run): " +
        'its content hash is never the same twice, so the registry never has it and it is rebuilt whenever the target runs; add to .dockerignore: .git, .nx, dist/images',
    );
    expect(selfChangingWarning('api', [dir('.nx')], '../../dist/images')).toContain("api copies .nx (Nx's data, rewritten by every run): its content hash");
  });

  it("names turbo's .turbo folders (a cache at the root, a task log in every package it ran in), with the line that leaves them all out", () => {
    expect(selfChangingWarning('blms-api', ['package.json', '.turbo/cache/abc.tar.zst'].map(file), 'dist/images')).toBe(
      "hashdock: warning: blms-api copies .turbo (turbo's task logs and cache, rewritten by every turbo run): its content hash is never the same twice, so the registry never has it and it is rebuilt whenever the target runs; add to .dockerignore: .turbo",
    );
    // A root .dockerignore line `.turbo` leaves the packages' logs in.
    expect(selfChangingWarning('blms-api', ['apps/api/.turbo/turbo-build.log', 'packages/db/.turbo/turbo-build.log', 'apps/api/src/main.ts'].map(file), 'dist/images')).toBe(
      "hashdock: warning: blms-api copies apps/api/.turbo and 1 more .turbo folder (turbo's task logs and cache, rewritten by every turbo run): its content hash is never the same twice, so the registry never has it and it is rebuilt whenever the target runs; add to .dockerignore: **/.turbo",
    );
    expect(contextHygiene([dir('.turbo'), dir('apps/api/.turbo')]).ignoreLines).toEqual(['**/.turbo']);
  });

  it('says nothing when the hash covers none of them (the heavy-context warning is another matter)', () => {
    expect(selfChangingWarning('api', ['dist/main.js', 'dist/images-old/x', '.nxrc', '.github/x.yml', 'apps/x.turbo/a', '.turbofile'].map(file), 'dist/images')).toBeUndefined();
    expect(selfChangingWarning('api', [file('dist/images/api.json')], '../../dist/images')).toBeUndefined();
  });
});
