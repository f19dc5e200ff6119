import { describe, expect, it } from 'vitest';
import { renderImageReport } from '../report/image-report';
import { diffCanonical } from './rebuild-reasons';

const before = ['hashdock-content-v1', 'platform linux/amd64', 'dockerfile aaaa', 'arg "A" "1"', 'base "BASE_IMAGE" 1111', '- 01 "dist/main.js"', '- 02 "old.txt"', 'source "libs/shared/src/text.ts" 10', ''].join('\n');
const after = ['hashdock-content-v1', 'platform linux/amd64', 'dockerfile aaaa', 'arg "A" "2"', 'base "BASE_IMAGE" 2222', '- 09 "dist/main.js"', 'x 03 "new.sh"', 'source "libs/shared/src/text.ts" 11', ''].join('\n');

describe('rebuild reasons', () => {
  it('names every input that differs', () => {
    expect(diffCanonical(before, after)).toEqual([
      { input: 'arg:A', change: 'changed' },
      { input: 'base:BASE_IMAGE', change: 'changed' },
      { input: 'file:dist/main.js', change: 'changed' },
      { input: 'file:new.sh', change: 'added' },
      { input: 'file:old.txt', change: 'removed' },
      { input: 'source:libs/shared/src/text.ts', change: 'changed' },
    ]);
    expect(diffCanonical(after, after)).toEqual([]);
  });

  it('names a changed label', () => {
    const withLabel = (digest: string) => ['hashdock-content-v2', 'platform linux/amd64', `label "org.opencontainers.image.source" sha256:${digest}`, ''].join('\n');
    expect(diffCanonical(withLabel('aa'), withLabel('bb'))).toEqual([{ input: 'label:org.opencontainers.image.source', change: 'changed' }]);
  });

  it("names a named build context's file with the context (the same path in the build context is another input)", () => {
    const lines = (main: string, api: string) => ['hashdock-content-v2', 'platform linux/amd64', `f0644 ${main} "src/a b.ts"`, `in "api" f0644 ${api} "src/a b.ts"`, ''].join('\n');
    expect(diffCanonical(lines('01', '01'), lines('01', '02'))).toEqual([{ input: 'context:api:src/a b.ts', change: 'changed' }]);
    expect(diffCanonical(lines('01', '01'), lines('02', '01'))).toEqual([{ input: 'file:src/a b.ts', change: 'changed' }]);
  });

  it('names a change of stage', () => {
    const withStage = (stage: string) => ['hashdock-content-v2', 'platform linux/amd64', 'dockerfile aaaa', `stage ${stage}`, ''].join('\n');
    expect(diffCanonical(withStage('runtime'), withStage('debug'))).toEqual([{ input: 'stage', change: 'changed' }]);
    expect(diffCanonical(before, withStage('debug'))).toContainEqual({ input: 'stage', change: 'added' });
  });

  it('renders the report: cached tasks marked, reasons only for rebuilt images', () => {
    const markdown = renderImageReport(
      [
        { project: 'api', status: 'built', contentHash: 'a'.repeat(16), tags: ['t'], digest: `sha256:${'b'.repeat(64)}`, seconds: 1.25, context: 'COPY/ADD sources: dist', previousHash: 'c'.repeat(16), changes: [{ input: 'source:libs/shared/src/text.ts', change: 'changed' }] },
        { project: 'base', status: 'exists', contentHash: 'd'.repeat(16), tags: ['t'], digest: `sha256:${'e'.repeat(64)}`, seconds: 0.1 },
        { project: 'old', status: 'built', contentHash: 'f'.repeat(16), tags: ['t'], digest: null, seconds: 3 },
      ],
      new Set(['old']),
    );
    expect(markdown).toContain(`| api | built | \`${'a'.repeat(16)}\` | \`t\` | \`sha256:bbbbbbbbbbbb…\` | 1.3 |`);
    expect(markdown).toContain('| old | cached (built) |');
    expect(markdown).toContain(`### api\n\nHashed: COPY/ADD sources: dist.\n\nCompared with \`${'c'.repeat(16)}\` in the registry:\n\n- changed: \`source:libs/shared/src/text.ts\``);
    expect(markdown).not.toContain('### base');
    expect(markdown).not.toContain('### old');
  });
});
