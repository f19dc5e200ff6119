import { createServer, Server } from 'node:http';

export interface Check {
  name: string;
  url: string;
}

export interface CheckResult extends Check {
  ok: boolean;
  status?: number;
  error?: string;
}

/** Probe each service's health URL; a slow or failing one is reported, never thrown. */
export async function runChecks(checks: readonly Check[], timeoutMs = 2000): Promise<CheckResult[]> {
  return Promise.all(
    checks.map(async (check) => {
      try {
        const response = await fetch(check.url, { signal: AbortSignal.timeout(timeoutMs) });
        await response.body?.cancel();
        return { ...check, ok: response.ok, status: response.status };
      } catch (error) {
        return { ...check, ok: false, error: (error as Error).message };
      }
    }),
  );
}

/** `CHECKS=api=http://api:3000/health,indexer=http://indexer:3000/health` */
export function parseChecks(value: string | undefined): Check[] {
  return (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new Error(`CHECKS entry "${entry}" is not name=url`);
      return { name: entry.slice(0, eq), url: entry.slice(eq + 1) };
    });
}

/** The status page service: `/health` and `/status` (the services' health, aggregated). */
export function createStatusServer(checks: readonly Check[]): Server {
  return createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://status.local').pathname;
    let status = 200;
    let body: unknown;
    if (path === '/health') body = { status: 'ok', service: 'status' };
    else if (path === '/status') {
      const results = await runChecks(checks);
      status = results.every((result) => result.ok) ? 200 : 503;
      body = { ok: status === 200, checks: results };
    } else {
      status = 404;
      body = { error: `no route ${path}` };
    }
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  });
}
