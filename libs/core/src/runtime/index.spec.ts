import { describe, expect, it } from 'vitest';
import { isAtLeast, nodeVersionProblem, nxVersionProblem } from './index';

describe('runtime requirements', () => {
  it.each([
    ['22.12.0', '22.12.0', true],
    ['22.11.9', '22.12.0', false],
    ['24.0.0', '22.12.0', true],
    ['v20.20.2', '22.12.0', false],
    ['23.0.0-rc.1', '22.12.0', true],
  ])('%s >= %s is %s', (version, minimum, expected) => expect(isAtLeast(version, minimum)).toBe(expected));

  it('names the Node version needed in one line', () => {
    expect(nodeVersionProblem('20.20.2')).toBe('Hashdock needs Node.js >= 22.12.0; this is Node.js 20.20.2. Install Node 22 or newer.');
    expect(nodeVersionProblem('24.21.0')).toBeUndefined();
  });

  it.each([
    ['21.6.0', false],
    ['22.0.0', true],
    ['23.3.1', true],
    ['24.0.6', true],
    ['25.0.0', false],
  ])('nx %s supported: %s', (version, supported) => {
    const problem = nxVersionProblem(version);
    expect(problem === undefined).toBe(supported);
    if (problem) expect(problem).toContain('nx >=22.0.0 <25.0.0');
  });
});
