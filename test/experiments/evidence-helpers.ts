/**
 * Test helpers for a reproduction's evidence: its checks on the quick config of the main arm
 * or of one of its controls, for given seeds (what `reproduce --quick` evaluates).
 */
import type { Experiment, SeedResult } from '../../src/experiments/types.js';
import { deepMerge, type PlainObject, setPath, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

/** The quick config of the main arm (no control) or of the named control. */
export function quickConfig(experiment: Experiment<unknown>, control?: string): PlainObject {
  const quick = structuredClone(experiment.quick) as PlainObject;
  if (control === undefined) return quick;
  const arm = experiment.controls.find((c) => c.name === control);
  if (!arm) throw new Error(`${experiment.id} has no control '${control}'`);
  return deepMerge(deepMerge(quick, arm.override as PlainObject), (arm.quick ?? {}) as PlainObject);
}

/** Every seed's runs (at every quick sweep point) of the main arm or a control. */
export async function quickRuns(
  experiment: Experiment<unknown>,
  seeds: readonly number[],
  control?: string,
): Promise<SeedResult<unknown>[]> {
  const base = quickConfig(experiment, control);
  const powers = experiment.power ? (experiment.power.quick ?? experiment.power.values) : [undefined];
  const runs: SeedResult<unknown>[] = [];
  for (const power of powers) {
    const raw = power === undefined ? base : setPath(base, experiment.power!.param, power);
    const config = validateConfig(experiment, raw);
    for (const seed of seeds) {
      const { result } = await runExperimentInProcess(experiment, config, seed);
      runs.push({ seed, power, config, result });
    }
  }
  return runs;
}

/** Check name → passed, on these runs (all seeds together). */
export function checkOutcomes(experiment: Experiment<unknown>, runs: readonly SeedResult<unknown>[]) {
  return Object.fromEntries(checkClaim(experiment, runs).checks.map((c) => [c.name, c.passed]));
}

/** Check name → value, on these runs. */
export function checkValues(experiment: Experiment<unknown>, runs: readonly SeedResult<unknown>[]) {
  return Object.fromEntries(checkClaim(experiment, runs).checks.map((c) => [c.name, c.value]));
}
