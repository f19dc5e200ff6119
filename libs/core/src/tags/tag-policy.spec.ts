import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_TEMPLATES, resolveTags } from './tag-policy';

describe('tag policy', () => {
  it.each([
    [DEFAULT_TAG_TEMPLATES, { contentHash: '0123456789abcdef', gitSha: 'abc123def456', version: '1.2.3' }, ['0123456789abcdef', 'git-abc123def456', '1.2.3', 'latest']],
    [DEFAULT_TAG_TEMPLATES, { contentHash: '0123456789abcdef' }, ['0123456789abcdef', 'latest']],
    [['v{version}-{contentHash}'], { contentHash: '0123456789abcdef', version: '2' }, ['0123456789abcdef', 'v2-0123456789abcdef']],
    [[], { contentHash: '0123456789abcdef' }, ['0123456789abcdef']],
    [['{contentHash}', '{contentHash}'], { contentHash: '0123456789abcdef' }, ['0123456789abcdef']],
    [['{branch}', '{branch}-{gitSha}'], { contentHash: '0123456789abcdef', gitSha: 'abc123def456', branch: 'feature-login' }, ['0123456789abcdef', 'feature-login', 'feature-login-abc123def456']],
    [['{branch}'], { contentHash: '0123456789abcdef' }, ['0123456789abcdef']],
  ])('%j with %j → %j', (templates, values, expected) => {
    expect(resolveTags(templates, values).all).toEqual(expected);
  });

  it('always puts the immutable content-hash tag first', () => {
    expect(resolveTags(['latest'], { contentHash: 'ffffffffffffffff' })).toEqual({ immutable: 'ffffffffffffffff', all: ['ffffffffffffffff', 'latest'] });
  });

  it('names an unknown placeholder', () => {
    expect(() => resolveTags(['{ref}'], { contentHash: '0' })).toThrow('Unknown placeholder {ref} in tag template "{ref}"; use {contentHash}, {gitSha}, {version} or {branch}');
  });

  it('rejects a template that expands to an invalid tag, naming it', () => {
    expect(() => resolveTags(['bad tag'], { contentHash: '0123456789abcdef' }, 'localhost:5000/x')).toThrow(/localhost:5000\/x:bad tag/);
  });
});
