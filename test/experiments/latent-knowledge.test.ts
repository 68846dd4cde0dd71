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
  it('the model knows; CCS reads the truth it hides under the misleading prompt', async () => {
    const main = await once(quick(), 51);
    for (const c of [
      ...(latentKnowledgeExperiment.gates?.([main]) ?? []),
      ...latentKnowledgeExperiment.check(main.result, [main]),
    ]) {
      expect(c.passed, `${c.name} = ${c.value}`).toBe(true);
    }
    const s = main.result.summary ?? {};
    // The persona lies on the odd sums: its zero-shot accuracy is near a coin.
    expect(s.zeroShotMisleading).toBeLessThan(0.75);
  }, 600_000);

  it('an untrained model gives CCS nothing to find', async () => {
    const control = await once(quick({ steps: 0 }), 51);
    expect(control.result.summary?.ccsHonest).toBeLessThan(0.8);
  }, 180_000);
});
