import { describe, expect, it } from 'vitest';
import { unpinnedDownloads } from './remote-sources';

describe('unpinnedDownloads', () => {
  it('names ADD of a URL or git remote with nothing pinning it; a checksum, a full commit or a context file pins it', () => {
    const text = [
      'FROM node:24',
      'ADD https://example.com/tool.tgz /opt/',
      'ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef https://example.com/pinned.tgz /opt/',
      'ADD https://github.com/acme/lib.git#v1.2 /lib',
      'ADD https://github.com/acme/lib.git#4f2c1a9b8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b /lib-pinned',
      'ADD git@github.com:acme/tools.git /tools',
      'ADD vendor/tool.tgz /opt/',
      'COPY https://example.com/not-fetched /x',
      'ADD ["https://example.com/a b.txt", "/a.txt"]',
      'ADD https://deploy:t0ken@files.acme.com/agent.tgz /opt/',
    ].join('\n');
    expect(unpinnedDownloads(text)).toEqual([
      { line: 2, source: 'https://example.com/tool.tgz' },
      { line: 4, source: 'https://github.com/acme/lib.git#v1.2' },
      { line: 6, source: 'git@github.com:acme/tools.git' },
      { line: 9, source: 'https://example.com/a b.txt' },
      // Printed in warnings: never the credentials.
      { line: 10, source: 'https://deploy:***@files.acme.com/agent.tgz' },
    ]);
  });

  it('reads a source as BuildKit does: a URL from an ARG (its default, or the build arg given), in every stage, after a line that reads the whole context', () => {
    const text = [
      'ARG TOOL_URL=https://example.com/tool-1.tgz',
      'FROM node:24 AS build',
      'ARG TOOL_URL',
      'ADD ${TOOL_URL} /opt/',
      'COPY . .',
      'FROM node:24',
      'ARG AGENT',
      'ADD ${AGENT:-local.tgz} /opt/',
      'ADD --checksum=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef ${AGENT} /pinned/',
      'ADD "https://example.com/late.tgz" /late/',
    ].join('\n');
    expect(unpinnedDownloads(text)).toEqual([
      { line: 4, source: 'https://example.com/tool-1.tgz' },
      { line: 10, source: 'https://example.com/late.tgz' },
    ]);
    expect(unpinnedDownloads(text, { TOOL_URL: 'https://example.com/tool-2.tgz', AGENT: 'https://u:p@example.com/agent.tgz' })).toEqual([
      { line: 4, source: 'https://example.com/tool-2.tgz' },
      { line: 8, source: 'https://u:***@example.com/agent.tgz' },
      { line: 10, source: 'https://example.com/late.tgz' },
    ]);
    // Another frontend: read all the same.
    expect(unpinnedDownloads(`# syntax=docker/dockerfile:1-labs\n${text}`).map((download) => download.line)).toEqual([5, 11]);
  });
});
