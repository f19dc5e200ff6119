import { contextScopeOf } from './context-reads';
import { redactUrls } from '../process/redact';

export interface UnpinnedDownload {
  line: number;
  /** As it may be printed: credentials in the URL redacted. */
  source: string;
}

/**
 * The ADD sources fetched from the network with nothing that pins what they return: no
 * `--checksum`, and not a git remote at a full commit (`…#<40 hex>`). Read as BuildKit reads them,
 * with the build args given: `ADD ${TOOL_URL} /opt/` downloads what the ARG names. The content hash
 * covers the Dockerfile's text, never what such a URL serves, so when it serves something else the
 * image keeps its tag and is not rebuilt.
 */
export function unpinnedDownloads(dockerfileText: string, buildArgs: Record<string, string> = {}): UnpinnedDownload[] {
  const found: UnpinnedDownload[] = [];
  contextScopeOf(dockerfileText, buildArgs, {
    downloads: ({ line, source, pinned }) => {
      const printed = redactUrls(source);
      if (!pinned && !found.some((known) => known.line === line && known.source === printed)) found.push({ line, source: printed });
    },
  });
  return found;
}
