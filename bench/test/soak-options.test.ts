import { describe, expect, it } from 'vitest';
import { resolveSoakOptions } from '../soak/soak-options.js';

describe('the soak command line', () => {
  it('answers --help with no run (the command prints the usage and exits 0)', () => {
    expect(resolveSoakOptions(['--help'])).toBeUndefined();
    expect(resolveSoakOptions(['--quick', '--help'])).toBeUndefined();
  });

  it('lets an explicit --full win over the --quick that `npm run soak` passes', () => {
    expect(resolveSoakOptions(['--quick', '--full', '--seed', '7'])).toMatchObject({ mode: 'full', seed: 7 });
  });

  it.each([
    ['--duration-s', 'abc'],
    ['--duration-s', '0'],
    ['--duration-s', '1.5'],
    ['--seed', 'x'],
    ['--topology', 'mesh'],
  ])('refuses %s %s with the usage text', (flag, value) => {
    expect(() => resolveSoakOptions([flag, value])).toThrow(/usage: npm run soak/);
  });

  it('takes --duration-s in whole seconds', () => {
    expect(resolveSoakOptions(['--duration-s', '30'])).toMatchObject({ loadDurationMs: 30_000 });
  });
});
