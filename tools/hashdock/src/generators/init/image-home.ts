import { parseRepository } from '@hashdock/core';
import { hasRegistryHost } from './build-settings';

/** Where the workspace's images are pushed today: a registry and a namespace, and the build that shows it. */
export interface ImageHome {
  registry: string;
  namespace: string;
  said: string;
}

/**
 * The registry and namespace most of the images built today are named under (`images`: each image
 * target's, from the build followed for it), from the references
 * with a registry host their builds tag (`ghcr.io/acme/api` → `ghcr.io`, `acme`). Only when more
 * than half of those agree, and each has a namespace; undefined otherwise (a local `api:dev` says
 * nothing of where CI pushes).
 */
export function imageHome(images: readonly { subject: string; image?: string }[]): ImageHome | undefined {
  return mostAgree(images, (image) => hasRegistryHost(image));
}

/**
 * Where most images would go on Docker Hub today: their builds tag them `acme/api` (a namespace, no registry host,
 * which docker pushes to docker.io/acme/api). Only said, never made the default (a first local run would push to
 * Docker Hub); undefined unless more than half of those references agree.
 */
export function dockerHubHome(images: readonly { subject: string; image?: string }[]): ImageHome | undefined {
  return mostAgree(images, (image) => !hasRegistryHost(image) && image.includes('/'));
}

function mostAgree(images: readonly { subject: string; image?: string }[], named: (image: string) => boolean): ImageHome | undefined {
  const homes: ImageHome[] = [];
  for (const { subject, image } of images) {
    if (!image || !named(image)) continue;
    try {
      const { registry, path } = parseRepository(image.toLowerCase());
      const namespace = path.split('/').slice(0, -1).join('/');
      if (namespace) homes.push({ registry, namespace, said: `${subject} is tagged ${image} today` });
    } catch {
      // not a repository name docker would take: it says nothing
    }
  }
  const key = (home: ImageHome) => `${home.registry}/${home.namespace}`;
  const counts = new Map<string, number>();
  for (const home of homes) counts.set(key(home), (counts.get(key(home)) ?? 0) + 1);
  const [top, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  return top !== undefined && count! * 2 > homes.length ? homes.find((home) => key(home) === top) : undefined;
}
