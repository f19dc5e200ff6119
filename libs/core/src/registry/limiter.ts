/**
 * At most `limit` tasks at once, shared by everything that is handed the same
 * instance (one per run: promotion of many images draws on one budget of
 * registry transfers instead of 4 per image with no overall bound).
 */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a limit of ${limit} concurrent tasks is not a positive integer`);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}
