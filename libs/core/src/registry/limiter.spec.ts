import { describe, expect, it } from 'vitest';
import { Limiter } from './limiter';

describe('Limiter', () => {
  it('runs at most `limit` tasks at once, all of them eventually, failures included', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 2 + (i % 4)));
          active--;
          if (i === 7) throw new Error('one fails');
          return i;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(19);
  });

  it('refuses a limit that is not a positive integer', () => {
    expect(() => new Limiter(0)).toThrow(/positive integer/);
  });
});
