import { describe, expect, it } from 'vitest';
import { isLoopbackRegistry } from './loopback';

describe('isLoopbackRegistry', () => {
  it('speaks http only to loopback', () => {
    expect(isLoopbackRegistry('localhost:5000')).toBe(true);
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('ghcr.io')).toBe(false);
    expect(isLoopbackRegistry('10.0.0.1:5000')).toBe(false);
  });
});
