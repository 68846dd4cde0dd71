import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CliResult, cli as run } from '../../cli/helper.js';

const cli = (args: string[]): Promise<CliResult> => run('offswitch', ...args);

describe('alignlab offswitch', () => {
  it('prints the reference Δ for (μ, σ) = (0.25, 1) and (0.75, 1) (issue 16)', async () => {
    const a = JSON.parse((await cli(['--mu', '0.25', '--sigma', '1', '--json'])).out);
    const b = JSON.parse((await cli(['--mu', '0.75', '--sigma', '1', '--json'])).out);
    expect(a.delta).toBeCloseTo(0.28634, 4);
    expect(b.delta).toBeCloseTo(0.13117, 4);
    expect(a.action).toBe('wait');
  });

  it('estimates Δ from a samples file: U = ±1 equally gives Δ = 0.5', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'offswitch-'));
    const file = join(dir, 'u.txt');
    writeFileSync(file, '1\n-1\n1\n-1\n');
    const out = JSON.parse((await cli(['--belief', 'samples', '--samples', file, '--json'])).out);
    expect(out.delta).toBeCloseTo(0.5, 12);
    expect(out.method).toBe('monte-carlo');
  });

  it('a bad flag is one line naming it, exit 2', async () => {
    const { code, err } = await cli(['--sigma', '-1']);
    expect(code).toBe(2);
    expect(err).toMatch(/--sigma/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('--plot writes Δ against σ, μ and β as SVG and PNG', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'offswitch-')), 'plots');
    expect((await cli(['--plot', dir])).code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(
      ['beta', 'mu', 'sigma'].flatMap((x) => [`offswitch-${x}.png`, `offswitch-${x}.svg`]),
    );
  }, 60_000);
});
