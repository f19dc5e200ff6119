import { describe, expect, it } from 'vitest';
import { redactUrls } from './redact';

describe('redactUrls', () => {
  it.each([
    ['https://user:s3cret@example.com/tool.tgz', 'https://user:***@example.com/tool.tgz'],
    ['https://ghp_abc123@github.com/acme/lib.git#v1', 'https://***@github.com/acme/lib.git#v1'],
    ['line 4 (ADD) adds the remote source https://u:p@h/x and https://t@h/y', 'line 4 (ADD) adds the remote source https://u:***@h/x and https://***@h/y'],
    ['https://example.com/tool.tgz', 'https://example.com/tool.tgz'],
    ['git@github.com:acme/tools.git', 'git@github.com:acme/tools.git'],
  ])('%s → %s', (text, expected) => expect(redactUrls(text)).toBe(expected));
});
