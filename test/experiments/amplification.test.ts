import { describe, expect, it } from 'vitest';
import { amplificationExperiment } from '../../src/experiments/amplification.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof amplificationExperiment.run>[0];

describe('amplification reproduction', () => {
  it('holds as reproduce judges it on seeds 60-62 (quick), and each check is failed by a control', async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get('amplification'), {
      quick: true,
      seeds: [60, 61, 62],
    });
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
    for (const check of evidence.checks) expect(check.informative, check.name).toBe(true);
    const control = (name: string) => evidence.controls.find((c) => c.name === name)!;
    // base-only: the overseer answers every training question itself (share 1) and k > K/2 stays far behind.
    expect(control('base-only').result.summary?.overseerAnswerShare).toBe(1);
    expect(control('shuffled-subanswer').result.summary?.hardestGap).toBeGreaterThan(0.5);
  }, 300_000);

  it('amplification reaches 90% on the hardest powers no sooner than supervised learning (it climbs a level a round)', async () => {
    const cfg = amplificationExperiment.config.parse(amplificationExperiment.quick) as Config;
    const { result } = await runExperimentInProcess(amplificationExperiment, cfg, 63);
    const s = result.summary!;
    expect(s.amplificationRoundsTo90).toBeGreaterThanOrEqual(s.supervisedRoundsTo90);
    // ⌈log2 16⌉ = 4 levels above the base case: at least 4 rounds before k > 8 can be right.
    expect(s.amplificationRoundsTo90).toBeGreaterThanOrEqual(4);
    expect(s.overseerDistinctAnswers).toBe(16);
  }, 120_000);
});
