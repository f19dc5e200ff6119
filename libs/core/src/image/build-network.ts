import { InvalidOptionError } from '../errors';

export const BUILD_NETWORKS = ['default', 'host', 'none'] as const;
export type BuildNetwork = (typeof BUILD_NETWORKS)[number];

/** `network`: the network RUN instructions get (docker build --network). */
export function buildNetworkOption(value: unknown, where: string): BuildNetwork {
  if (!(BUILD_NETWORKS as readonly unknown[]).includes(value))
    throw new InvalidOptionError('network', `${where}: option "network" must be one of ${BUILD_NETWORKS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as BuildNetwork;
}

/** `addHosts`: `name:ip` entries for RUN's /etc/hosts (docker build --add-host); `host-gateway` is the host. */
export function addHostsOption(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    throw new InvalidOptionError('addHosts', `${where}: option "addHosts" must be an array of "name:ip" strings`);
  for (const entry of value as string[])
    if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:\S+$/.test(entry))
      throw new InvalidOptionError('addHosts', `${where}: addHosts entry ${JSON.stringify(entry)} is not "name:ip" (e.g. "registry.internal:10.0.0.5" or "host.docker.internal:host-gateway")`);
  return [...(value as string[])];
}
