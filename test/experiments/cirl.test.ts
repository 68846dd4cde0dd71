import { describe, expect, it } from 'vitest';
import { cirlExperiment } from '../../src/experiments/cirl.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { SeedResult } from '../../src/experiments/types.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof cirlExperiment.run>[0];

function merged(override: Record<string, unknown> = {}): Config {
  return cirlExperiment.config.parse({ ...cirlExperiment.quick, ...override }) as Config;
}

async function runs(config: Config, seeds: number[]): Promise<SeedResult<Config>[]> {
  const out: SeedResult<Config>[] = [];
  for (const seed of seeds)
    out.push({ seed, config, result: (await runExperimentInProcess(cirlExperiment, config, seed)).result });
  return out;
}

describe('cirl reproduction', () => {
  it('every check and the gate pass on each of seeds 100-104', async () => {
    for (const r of await runs(merged(), [100, 101, 102, 103, 104])) {
      for (const c of [...cirlExperiment.check(r.result, [r]), ...(cirlExperiment.gates?.([r]) ?? [])]) {
        expect(c.passed, `${c.name} = ${c.value} on seed ${r.seed}`).toBe(true);
      }
    }
  });

  it('each check is failed by some control', async () => {
    const failed = new Set<string>();
    for (const control of cirlExperiment.controls) {
      const rs = await runs(merged(control.override as Record<string, unknown>), [100, 101]);
      for (const c of cirlExperiment.check(rs[0].result, rs)) if (!c.passed) failed.add(c.name);
    }
    const main = await runs(merged(), [100]);
    for (const c of cirlExperiment.check(main[0].result, main)) expect(failed.has(c.name), c.name).toBe(true);
  });

  it('holds as reproduce judges it on seeds 50-54 (issue 16: quick, --seeds 5 --first-seed 50)', async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get('cirl'), {
      quick: true,
      seeds: [50, 51, 52, 53, 54],
    });
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
  }, 60_000);
});
