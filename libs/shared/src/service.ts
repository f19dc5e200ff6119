import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export interface Reply {
  status?: number;
  body: unknown;
}

export type Handler = (request: { method: string; url: URL; body: string }) => Reply | Promise<Reply>;

export interface ServiceOptions {
  name: string;
  version: string;
  /** `METHOD /path` → handler. `/health` is added for every service. */
  routes: Record<string, Handler>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('request body too large'), { status: 413 }));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  const payload = JSON.stringify(reply.body);
  response.writeHead(reply.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}

/** A small JSON HTTP service with `GET /health`, shared by the workspace's services. */
export function createService(options: ServiceOptions): Server {
  const started = Date.now();
  const routes: Record<string, Handler> = {
    'GET /health': () => ({ body: { status: 'ok', service: options.name, version: options.version, uptimeSeconds: Math.round((Date.now() - started) / 1000) } }),
    ...options.routes,
  };
  return createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://service.local');
    const handler = routes[`${request.method} ${url.pathname}`];
    try {
      if (!handler) return send(response, { status: 404, body: { error: `no route ${request.method} ${url.pathname}` } });
      const body = await readBody(request);
      send(response, await handler({ method: request.method ?? 'GET', url, body }));
    } catch (error) {
      const status = (error as { status?: number }).status ?? 500;
      send(response, { status, body: { error: (error as Error).message } });
    }
  });
}

export function listen(server: Server, port = Number(process.env.PORT ?? 3000)): void {
  server.listen(port, '0.0.0.0', () => console.log(`listening on :${port}`));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
}
