import { describe, expect, it } from 'vitest';
import { additionDebateExperiment } from '../../src/experiments/addition-debate.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { SeedResult } from '../../src/experiments/types.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof additionDebateExperiment.run>[0];

function merged(override: Record<string, unknown> = {}): Config {
  return additionDebateExperiment.config.parse({ ...additionDebateExperiment.quick, ...override }) as Config;
}

async function runs(config: Config, seeds: number[]): Promise<SeedResult<Config>[]> {
  const out: SeedResult<Config>[] = [];
  for (const seed of seeds)
    out.push({
      seed,
      config,
      result: (await runExperimentInProcess(additionDebateExperiment, config, seed)).result,
    });
  return out;
}

describe('addition-debate reproduction', () => {
  it('holds on seeds 100-102: every check and gate pass on each seed', async () => {
    for (const r of await runs(merged(), [100, 101, 102])) {
      for (const c of [
        ...additionDebateExperiment.check(r.result, [r]),
        ...(additionDebateExperiment.gates?.([r]) ?? []),
      ])
        expect(c.passed, `${c.name} = ${c.value} on seed ${r.seed}`).toBe(true);
    }
  });

  it('the two-liars control fails every check', async () => {
    const rs = await runs(merged({ seatA: 'liar' }), [100, 101]);
    for (const c of additionDebateExperiment.check(rs[0].result, rs)) expect(c.passed, c.name).toBe(false);
    expect(rs[0].result.intended).toBe(0);
  });

  it('holds as reproduce judges it on seeds 40-44 (quick)', async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get('addition-debate'), {
      quick: true,
      seeds: [40, 41, 42, 43, 44],
    });
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
  }, 60_000);
});
