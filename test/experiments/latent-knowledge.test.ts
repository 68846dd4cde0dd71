import { describe, expect, it } from 'vitest';
import { latentKnowledgeExperiment } from '../../src/experiments/latent-knowledge.js';
import type { SeedResult } from '../../src/experiments/types.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof latentKnowledgeExperiment.run>[0];

function quick(override: Record<string, unknown> = {}): Config {
  return latentKnowledgeExperiment.config.parse({
    ...latentKnowledgeExperiment.quick,
    ...override,
  }) as Config;
}

async function once(config: Config, seed: number): Promise<SeedResult<Config>> {
  return {
    seed,
    config,
    result: (await runExperimentInProcess(latentKnowledgeExperiment, config, seed)).result,
  };
}

describe('latent-knowledge reproduction (quick, seed 51)', () => {
  it('the model knows; CCS reads the truth it hides under the misleading prompt, and latches onto the distractor', async () => {
    const main = await once(quick(), 51);
    for (const c of latentKnowledgeExperiment.gates?.([main]) ?? []) {
      expect(c.passed, `${c.name} = ${c.value}`).toBe(true);
    }
    const s = main.result.summary ?? {};
    expect(s.ccsHonest).toBeGreaterThanOrEqual(0.8);
    // The persona lies on the odd sums: its zero-shot accuracy is near a coin, CCS well above it.
    expect(s.zeroShotMisleading).toBeLessThan(0.75);
    expect(s.ccsMisleading - s.zeroShotMisleading).toBeGreaterThan(0.2);
    // With the distractor CCS follows the word, while a supervised probe still finds more truth
    // in the same states than CCS does (measured: word 0.82, truth 0.55, supervised 0.86).
    expect(s.ccsDistractorWord).toBeGreaterThan(s.ccsDistractor + 0.1);
    expect(s.probeDistractor).toBeGreaterThan(s.ccsDistractor + 0.1);
  }, 600_000);

  it('an untrained model gives CCS nothing to find', async () => {
    const control = await once(quick({ steps: 0 }), 51);
    expect(control.result.summary?.ccsHonest).toBeLessThan(0.8);
  }, 180_000);
});
