import { RegistryClient } from '../registry/client';
import { MANIFEST_ACCEPT } from '../registry/media-types';
import { parseRepository } from '../registry/reference';
import { ReleaseError } from './release-file';

export interface DeployableImage {
  project: string;
  repository: string;
  digest: string;
}

/**
 * Before a deploy: every digest must be in its registry. A stale cache can
 * restore a manifest whose image was deleted; deploying it would fail at pull
 * time on every node, so stop here and list them all.
 */
export async function verifyReleaseDigests(images: readonly DeployableImage[], clientFor: (registry: string) => RegistryClient, source: string): Promise<void> {
  const missing: string[] = [];
  await Promise.all(
    images.map(async (image) => {
      const response = await clientFor(parseRepository(image.repository).registry).request(image.repository, {
        method: 'HEAD',
        path: `manifests/${image.digest}`,
        headers: { accept: MANIFEST_ACCEPT },
        expect: [200, 404],
      });
      if (response.status === 404) missing.push(`${image.project} (${image.repository}@${image.digest})`);
    }),
  );
  if (missing.length)
    throw new ReleaseError(source, `digests missing from the registry: ${missing.sort().join(', ')}. Rebuild them (nx run-many -t image --skip-nx-cache) or promote again; nothing was deployed.`);
}
