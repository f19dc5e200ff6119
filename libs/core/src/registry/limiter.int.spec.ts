import { describe, expect, it } from 'vitest';
import { checkEnvironment, localRootImage } from '../../../../e2e/support/environment';
import { RegistryClient } from './client';
import { Limiter } from './limiter';
import { promoteImage } from './promote';
import { hasTag } from './tag-exists';

const environment = await checkEnvironment();

/** A client whose fetch counts blob transfers (mount POSTs) in flight, against the real registry. */
function countingClient(): { client: RegistryClient; peak: () => number } {
  let active = 0;
  let peak = 0;
  const counted: typeof fetch = async (input, init) => {
    const transfer = init?.method === 'POST' && String(input).includes('/blobs/uploads/');
    if (transfer) peak = Math.max(peak, ++active);
    try {
      // Long enough for the transfers of several images to overlap, on a loaded 2-core runner too.
      if (transfer) await new Promise((resolve) => setTimeout(resolve, 100));
      return await fetch(input, init);
    } finally {
      if (transfer) active--;
    }
  };
  return { client: new RegistryClient({ fetch: counted }), peak: () => peak };
}

describe.skipIf(!environment.available)('one budget of blob transfers for a whole promotion (real registry)', () => {
  it('6 images promoted at once: at most 2 transfers in flight with a shared limit of 2; more without one', async () => {
    const root = await localRootImage();
    const repository = root.slice(0, root.lastIndexOf(':'));
    const digest = (await hasTag(new RegistryClient(), repository, root.slice(root.lastIndexOf(':') + 1)))!;
    const ns = `limit-${Date.now().toString(36)}`;
    const promoteAll = async (client: RegistryClient, limiter: Limiter | undefined, run: string) =>
      Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          promoteImage({ source: { client, repository, digest }, target: { client, repository: `localhost:5000/${ns}/${run}-${i}` }, tags: ['1'], limiter }),
        ),
      );
    const limited = countingClient();
    const results = await promoteAll(limited.client, new Limiter(2), 'limited');
    expect(results.every((result) => result.blobBytesCopied === 0)).toBe(true);
    expect(limited.peak()).toBe(2);
    const unlimited = countingClient();
    await promoteAll(unlimited.client, undefined, 'unlimited');
    expect(unlimited.peak()).toBeGreaterThan(2);
  });
});
