import { IncomingMessage, request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';

/**
 * `fetch` for a short-lived process that sends a few small requests, such as
 * `hashdock base-digest` (a runtime input Nx runs on every hashing): the same
 * calls over `node:http`/`node:https`, without loading undici. In a fresh Node
 * process the first global `fetch` (or `new Response`) costs ~100 ms of module
 * loading here, more than the process's own start-up.
 *
 * Request bodies are strings, forms or bytes (a stream body is refused); redirects
 * are always returned, never followed (the registry client follows them
 * itself). The answer has what the registry client reads: `status`, `ok`,
 * `url`, `headers.get`, `text`, `json`, `arrayBuffer`, and `body` (a web
 * stream, made only when asked for).
 */
export const nodeFetch: typeof fetch = async (input, init = {}) => {
  const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[name.toLowerCase()] = value;
  let body = init.body;
  // A form (an identity token traded for a registry token) is sent as fetch sends it.
  if (body instanceof URLSearchParams) {
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
    body = body.toString();
  }
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) throw new TypeError(`nodeFetch sends string, form or byte bodies only (${url.href})`);
  if (body !== undefined && body !== null) headers['content-length'] ??= String(typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength);
  // TLS is loaded only for an https registry.
  const request = url.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  const message = await new Promise<IncomingMessage>((resolve, reject) => {
    const sent = request(url, { method: init.method ?? 'GET', headers, signal }, resolve);
    sent.on('error', (error) => reject(new TypeError('fetch failed', { cause: signal?.aborted ? signal.reason : error })));
    sent.end(body ?? undefined);
  });
  return nodeResponse(url.href, message, init.method === 'HEAD') as unknown as Response;
};

/** The parts of a Response the registry client and the authorizer use, over a node response. */
function nodeResponse(url: string, message: IncomingMessage, head: boolean) {
  const status = message.statusCode ?? 0;
  let consumed = false;
  const take = () => {
    if (consumed) throw new TypeError(`the body of ${url} was already read`);
    consumed = true;
  };
  const bytes = async () => {
    take();
    const chunks: Buffer[] = [];
    for await (const chunk of message) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  let stream: ReadableStream<Uint8Array> | null | undefined;
  if (head) message.resume();
  return {
    url,
    status,
    ok: status >= 200 && status < 300,
    headers: {
      get(name: string): string | null {
        const value = message.headers[name.toLowerCase()];
        return value === undefined ? null : Array.isArray(value) ? value.join(', ') : String(value);
      },
    },
    get body(): ReadableStream<Uint8Array> | null {
      // Made only here: most answers of a short-lived process are read whole or not at all.
      if (stream === undefined) {
        if (head || consumed) return null;
        take();
        stream = Readable.toWeb(message) as unknown as ReadableStream<Uint8Array>;
      }
      return stream;
    },
    async arrayBuffer(): Promise<ArrayBuffer> {
      const buffer = await bytes();
      return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
    },
    async text(): Promise<string> {
      return (await bytes()).toString('utf8');
    },
    async json(): Promise<unknown> {
      return JSON.parse((await bytes()).toString('utf8'));
    },
  };
}
