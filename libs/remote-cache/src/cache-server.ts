import { timingSafeEqual } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { CacheStorage } from './storage/cache-storage';

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

async function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
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
        log(`GET ${hash} 200 ${entry.byteLength}`);
        response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': entry.byteLength }).end(entry);
        return;
      }
      if (request.method === 'PUT') {
        if (!canWrite) {
          request.resume();
          return send(response, 403, 'this token may only read');
        }
        const body = await readBody(request, limit);
        if (!body) return send(response, 413, 'entry too large');
        const result = await options.storage.put(hash, body);
        log(`PUT ${hash} ${result === 'created' ? 200 : 409} ${body.byteLength}`);
        return result === 'created' ? send(response, 200) : send(response, 409, 'entry exists and is never replaced');
      }
      return send(response, 405, 'method not allowed');
    } catch (error) {
      log(`${request.method} ${hash} 500 ${(error as Error).message}`);
      return send(response, 500, 'storage error');
    }
  });
}
