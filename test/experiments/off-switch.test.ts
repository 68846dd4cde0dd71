import { describe, expect, it } from 'vitest';
import { offSwitchExperiment } from '../../src/experiments/off-switch.js';
import { defaultRegistry } from '../../src/experiments/registry.js';
import type { SeedResult } from '../../src/experiments/types.js';
import { reproduceInProcess } from '../../src/lab/reproduce.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';

type Config = Parameters<typeof offSwitchExperiment.run>[0];

function merged(override: Record<string, unknown> = {}): Config {
  return offSwitchExperiment.config.parse({ ...offSwitchExperiment.quick, ...override }) as Config;
}

async function runs(config: Config, seeds: number[]): Promise<SeedResult<Config>[]> {
  const out: SeedResult<Config>[] = [];
  for (const seed of seeds)
    out.push({
      seed,
      config,
      result: (await runExperimentInProcess(offSwitchExperiment, config, seed)).result,
    });
  return out;
}

describe('off-switch reproduction', () => {
  it('holds on seeds 100-104: every check and the gate pass on each seed', async () => {
    const rs = await runs(merged(), [100, 101, 102, 103, 104]);
    for (const r of rs) {
      for (const c of [
        ...offSwitchExperiment.check(r.result, [r]),
        ...(offSwitchExperiment.gates?.([r]) ?? []),
      ]) {
        expect(c.passed, `${c.name} = ${c.value} on seed ${r.seed}`).toBe(true);
      }
    }
  });

  it('each check is failed by some control', async () => {
    const failed = new Set<string>();
    for (const control of offSwitchExperiment.controls) {
      const rs = await runs(merged(control.override as Record<string, unknown>), [100, 101]);
      for (const c of offSwitchExperiment.check(rs[0].result, rs)) if (!c.passed) failed.add(c.name);
    }
    const names = offSwitchExperiment
      .check((await runs(merged(), [100]))[0].result, await runs(merged(), [100]))
      .map((c) => c.name);
    for (const name of names) expect(failed.has(name), name).toBe(true);
  });

  it('a noisy human makes Δ negative somewhere on the grid', async () => {
    // β = 0.25, μ = 0.75, σ = 0.5: E[sigmoid(βU)U] ≈ μ/2 + β(μ²+σ²)/4 ≈ 0.43 < μ.
    const [r] = await runs(merged({ beta: 0.25 }), [100]);
    expect(r.result.summary?.deltaMin).toBeLessThan(-0.1);
  });

  it('holds as reproduce judges it on seeds 50-54 (issue 16: quick, --seeds 5 --first-seed 50)', async () => {
    const evidence = await reproduceInProcess(defaultRegistry.get('off-switch'), {
      quick: true,
      seeds: [50, 51, 52, 53, 54],
    });
    expect(evidence.reasons).toEqual([]);
    expect(evidence.verdict).toBe('holds');
  }, 60_000);
});
