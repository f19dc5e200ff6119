/**
 * Runtime requirements, checked before anything else loads: with an older
 * Node or Nx, Hashdock's dependencies fail with stack traces that name
 * neither. This entry point imports nothing, so it can run first.
 */
export const MIN_NODE_VERSION = '22.12.0';
export const NX_PEER_RANGE = '>=22.0.0 <25.0.0';
const MIN_NX_MAJOR = 22;
const MAX_NX_MAJOR = 24;

function parts(version: string): number[] {
  return version.replace(/^v/, '').split(/[.+-]/).slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
}

export function isAtLeast(version: string, minimum: string): boolean {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** One line naming the Node version needed, or undefined when this one will do. */
export function nodeVersionProblem(version: string = process.versions.node): string | undefined {
  return isAtLeast(version, MIN_NODE_VERSION) ? undefined : `Hashdock needs Node.js >= ${MIN_NODE_VERSION}; this is Node.js ${version}. Install Node 22 or newer.`;
}

/** One line naming the Nx versions supported, or undefined when this one is among them. */
export function nxVersionProblem(version: string): string | undefined {
  const major = parts(version)[0];
  return major >= MIN_NX_MAJOR && major <= MAX_NX_MAJOR ? undefined : `@hashdock/nx-plugin needs nx ${NX_PEER_RANGE}; this workspace has nx ${version}. Update nx (nx migrate) or use a Hashdock release for it.`;
}
