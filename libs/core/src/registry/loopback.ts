/** A registry on this machine (`localhost`, `127.x.x.x`, `[::1]`, with or without a port): plain HTTP for Docker, out of a CI runner's reach. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
