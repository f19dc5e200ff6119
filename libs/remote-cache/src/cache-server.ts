import { timingSafeEqual } from 'node:crypto';
import { createServer, Server, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { CacheStorage } from './storage/cache-storage';
import { EntryTooLargeError } from './storage/stage-file';

export interface CacheServerOptions {
  storage: CacheStorage;
  /** Tokens that may read and write (trusted builds: main). */
  readWriteTokens: readonly string[];
  /** Tokens that may only read (untrusted builds: pull requests). */
  readOnlyTokens: readonly string[];
  maxEntryBytes?: number;
  log?: (line: string) => void;
}

const HASH = /^[A-Za-z0-9._-]{1,128}$/;

function tokenIn(token: string, tokens: readonly string[]): boolean {
  const given = Buffer.from(token);
  return tokens.some((candidate) => {
    const expected = Buffer.from(candidate);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/**
 * Nx's self-hosted remote cache API (GET/PUT /v1/cache/{hash}, bearer tokens).
 * Read-only tokens get 403 on PUT; an existing entry is never replaced (409),
 * so an untrusted build cannot poison what trusted builds restore.
 */
export function createCacheServer(options: CacheServerOptions): Server {
  const limit = options.maxEntryBytes ?? 2 * 1024 * 1024 * 1024;
  const log = options.log ?? (() => undefined);
  const send = (response: ServerResponse, status: number, message?: string) => {
    response.writeHead(status, { 'content-type': 'text/plain' }).end(message ?? '');
  };
  // The rest of an over-large body is not read: the connection is closed after the answer.
  const tooLarge = (response: ServerResponse, hash: string) => {
    log(`PUT ${hash} 413`);
    response.writeHead(413, { 'content-type': 'text/plain', connection: 'close' }).end(`entry larger than ${limit} bytes`);
  };
  return createServer(async (request, response) => {
    const match = /^\/v1\/cache\/([^/?]+)$/.exec(request.url?.split('?')[0] ?? '');
    if (!match) return send(response, 404, 'not found');
    const hash = decodeURIComponent(match[1]);
    if (!HASH.test(hash)) return send(response, 400, 'invalid hash');
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const canWrite = tokenIn(token, options.readWriteTokens);
    const canRead = canWrite || tokenIn(token, options.readOnlyTokens);
    if (!canRead) return send(response, 401, 'missing or invalid bearer token');
    try {
      if (request.method === 'GET') {
        const entry = await options.storage.get(hash);
        if (!entry) return send(response, 404, 'no such entry');
        log(`GET ${hash} 200 ${entry.size}`);
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.size });
        // Streamed: an entry of any size costs the server a few buffers, not its size in memory.
        await pipeline(entry.stream, response).catch(() => response.destroy());
        return;
      }
      if (request.method === 'PUT') {
        if (!canWrite) {
          request.resume();
          return send(response, 403, 'this token may only read');
        }
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > limit) return tooLarge(response, hash);
        let result: 'created' | 'exists';
        try {
          result = await options.storage.put(hash, request, limit);
        } catch (error) {
          if (error instanceof EntryTooLargeError) return tooLarge(response, hash);
          throw error;
        }
        log(`PUT ${hash} ${result === 'created' ? 200 : 409}`);
        return result === 'created' ? send(response, 200) : send(response, 409, 'entry exists and is never replaced');
      }
      return send(response, 405, 'method not allowed');
    } catch (error) {
      log(`${request.method} ${hash} 500 ${(error as Error).message}`);
      return send(response, 500, 'storage error');
    }
  });
}
