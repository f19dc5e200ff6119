import { createServer, IncomingHttpHeaders, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ForwardOptions {
  /** Path and query to send upstream (default: the incoming one). */
  path?: string;
  headers?: IncomingHttpHeaders;
  /** A body already read (default: the incoming body, streamed). */
  body?: Buffer;
  /** Change the upstream answer's headers before they are sent on. */
  rewrite?: (status: number, headers: IncomingHttpHeaders) => void;
  /** Take over the upstream answer (status and headers not yet sent); return true when handled. */
  intercept?: (response: IncomingMessage, outgoing: ServerResponse) => boolean;
}

/** Forward one request to `upstream` (host:port) and its answer back, with the given changes. */
export function forward(upstream: string, incoming: IncomingMessage, outgoing: ServerResponse, options: ForwardOptions = {}): void {
  const [host, port] = upstream.split(':');
  const proxied = request({ host, port: Number(port), method: incoming.method, path: options.path ?? incoming.url, headers: options.headers ?? incoming.headers }, (response) => {
    if (options.intercept?.(response, outgoing)) return;
    const headers = { ...response.headers };
    options.rewrite?.(response.statusCode ?? 502, headers);
    outgoing.writeHead(response.statusCode ?? 502, headers);
    response.pipe(outgoing);
  });
  proxied.on('error', () => outgoing.destroy());
  if (options.body) proxied.end(options.body);
  else incoming.pipe(proxied);
}

/**
 * A loopback HTTP server for registry fault and profile tests: something
 * in front of the real registry that a real registry will not do on demand.
 */
export class HttpProxy {
  private constructor(private readonly server: Server, readonly address: string) {}

  static async start(handle: (incoming: IncomingMessage, outgoing: ServerResponse) => void): Promise<HttpProxy> {
    const server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return new HttpProxy(server, `127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
