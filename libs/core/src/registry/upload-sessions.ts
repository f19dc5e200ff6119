import { RegistryClient } from './client';
import { startUpload } from './chunked-upload';

export interface UploadSessions {
  /** A session opened ahead, or undefined when none is left (or opening it failed: the upload opens its own). */
  take(): Promise<string | undefined>;
  /** Cancel the sessions nobody took (best effort: a registry drops idle sessions on its own). */
  close(): Promise<void>;
}

/**
 * Open `count` upload sessions now, while the blobs they are for are still
 * being made: a blob's upload is then one PUT instead of POST + PUT, one round
 * trip off a chain whose every step waits for the one before.
 */
export function openUploadSessions(client: RegistryClient, repository: string, count: number): UploadSessions {
  const opened = Array.from({ length: count }, () => startUpload(client, repository).catch(() => undefined));
  const pending = [...opened];
  return {
    take: () => pending.shift() ?? Promise.resolve(undefined),
    async close() {
      const unused = (await Promise.all(pending.splice(0))).filter((location): location is string => location !== undefined);
      await Promise.all(
        unused.map((location) =>
          client.request(repository, { method: 'DELETE', path: location, scope: 'push', expect: [204, 404, 405] }).then(
            (response) => response.body?.cancel(),
            () => undefined,
          ),
        ),
      );
    },
  };
}
