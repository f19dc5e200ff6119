import { instructionFlags, instructionWords, isRemote } from './context-reads';
import { parseDockerfile } from './dockerfile-instructions';
import { redactUrls } from '../process/redact';

export interface UnpinnedDownload {
  line: number;
  /** As it may be printed: credentials in the URL redacted. */
  source: string;
}

/**
 * The ADD sources fetched from the network with nothing that pins what they return: no
 * `--checksum`, and not a git remote at a full commit (`…#<40 hex>`). The content hash covers the
 * Dockerfile's text, never what such a URL serves, so when it serves something else the image keeps
 * its tag and is not rebuilt.
 */
export function unpinnedDownloads(dockerfileText: string): UnpinnedDownload[] {
  const found: UnpinnedDownload[] = [];
  for (const instruction of parseDockerfile(dockerfileText).instructions) {
    if (instruction.keyword !== 'ADD') continue;
    const { flags, body } = instructionFlags(instruction.rest);
    if (flags.some((flag) => flag.name === 'checksum')) continue;
    for (const source of (instructionWords(body) ?? []).slice(0, -1)) {
      if (!isRemote(source) || /#[0-9a-f]{40}(:|$)/i.test(source)) continue;
      found.push({ line: instruction.line, source: redactUrls(source) });
    }
  }
  return found;
}
