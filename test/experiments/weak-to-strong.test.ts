import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';

describe('weak-to-strong reproduction', () => {
  it('holds as reproduce judges it on seeds 40-44 (quick), and the controls fail their checks', async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get('weak-to-strong'), {
      quick: true,
      seeds: [40, 41, 42, 43, 44],
    });
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
    for (const check of evidence.checks) expect(check.informative, check.name).toBe(true);
  }, 300_000);
});
