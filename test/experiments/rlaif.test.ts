import { describe, expect, it } from 'vitest';
import { rlaifExperiment } from '../../src/experiments/rlaif.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof rlaifExperiment.run>[0];

describe('rlaif reproduction', () => {
  it('the assistant as labeller agrees with the truth far above chance, on every principle it can judge', async () => {
    const config = rlaifExperiment.config.parse({ pairs: 24, dpo: { steps: 2 }, evalSamples: 1 }) as Config;
    const { result } = await runExperimentInProcess(rlaifExperiment, config, 5);
    const s = result.summary ?? {};
    expect(s.pairs).toBe(24);
    // Chance is 0.5; the simulated humans are right 0.75 of the time by construction.
    expect(s.ai_agreement).toBeGreaterThan(0.7);
    expect(s.ai_agreement_harmlessness).toBeGreaterThan(0.7);
  }, 240_000);
});
