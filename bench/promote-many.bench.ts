import { hasTag, Limiter, promoteImage, RegistryClient } from '@hashdock/core';
import { localRootImage } from '../e2e/support/environment';
import { medianSeconds, Row } from './support';

const IMAGES = 50;

/**
 * Promotion of 50 images within one registry (blob mounts), all at once as
 * promoteRelease runs them: one shared budget of 8 transfers vs none (each
 * image's 4, no overall bound). Each run promotes into fresh repositories.
 */
export async function benchPromoteMany(): Promise<Row[]> {
  const root = await localRootImage();
  const source = root.slice(0, root.lastIndexOf(':'));
  const client = new RegistryClient();
  const digest = (await hasTag(client, source, root.slice(root.lastIndexOf(':') + 1)))!;
  const ns = `bench-many-${Date.now().toString(36)}`;
  let round = 0;
  const promoteAll = (limiter: Limiter | undefined) => async () => {
    const run = round++;
    await Promise.all(
      Array.from({ length: IMAGES }, (_, i) =>
        promoteImage({ source: { client, repository: source, digest }, target: { client, repository: `localhost:5000/${ns}/r${run}-${i}` }, tags: ['1'], limiter }),
      ),
    );
  };
  // Interleaved: limited, unlimited, limited, … so both meet the same registry state.
  const limited: number[] = [];
  const unlimited: number[] = [];
  for (let i = 0; i < 5; i++) {
    limited.push(await medianSeconds(1, promoteAll(new Limiter(8)), false));
    unlimited.push(await medianSeconds(1, promoteAll(undefined), false));
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const withLimit = median(limited);
  const without = median(unlimited);
  return [{ benchmark: `promote ${IMAGES} images within one registry: shared limit of 8 transfers vs unlimited`, subject: 'limit 8', baseline: 'unlimited', subjectSeconds: withLimit, baselineSeconds: without, goal: 'report', met: true }];
}
