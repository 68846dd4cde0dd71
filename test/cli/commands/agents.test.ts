import { describe, expect, it } from 'vitest';
import { cli } from '../helper.js';

describe('alignlab bench agents', () => {
  it('prints one JSON row per world with both throughputs', async () => {
    const r = await cli('bench', 'agents', '--world', 'boat-race', '--steps', '20000', '--json');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.out);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      agent: 'q-learning',
      env: 'boat-race',
      level: 0,
      states: 8,
      target: 1_000_000,
    });
    // Speeds are the benchmark's business; the test checks the row reports them.
    expect(typeof rows[0].stepsPerSecond).toBe('number');
    expect(typeof rows[0].stepsPerCpuSecond).toBe('number');
  });

  it('refuses a bad step count and an unknown world in one line, exit code 2', async () => {
    const steps = await cli('bench', 'agents', '--steps', '12x');
    expect(steps.code).toBe(2);
    expect(steps.err).toMatch(/--steps: '12x' is not an integer/);
    const world = await cli('bench', 'agents', '--world', 'boat-rase');
    expect(world.code).toBe(2);
    expect(world.err).toMatch(/unknown world 'boat-rase'/);
  });
});
