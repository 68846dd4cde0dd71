/**
 * Runs one arm of a reproduction (its quick config, or a control's override merged over it)
 * on some seeds and evaluates the experiment's checks on those runs, as `reproduce` does
 * for the main arm and each control.
 */
import type { ClaimCheck, Experiment, SeedResult } from '../../src/experiments/types.js';
import { deepMerge, type PlainObject, setPath, validateConfig } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { checkClaim } from '../../src/lab/summary.js';

export interface ArmOutcome {
  runs: SeedResult<unknown>[];
  checks: ClaimCheck[];
  /** Each check's pass/fail by name. */
  passed: Record<string, boolean>;
}

/** The quick config with the named control's override (and its quick part) merged over it. */
export function armConfig<C>(experiment: Experiment<C>, control?: string): PlainObject {
  let raw = structuredClone(experiment.quick) as PlainObject;
  if (control !== undefined) {
    const arm = experiment.controls.find((c) => c.name === control);
    if (!arm) throw new Error(`${experiment.id} has no control ${control}`);
    raw = deepMerge(raw, arm.override as PlainObject);
    if (arm.quick) raw = deepMerge(raw, arm.quick as PlainObject);
  }
  return raw;
}

export async function runArm<C>(
  experiment: Experiment<C>,
  seeds: readonly number[],
  control?: string,
): Promise<ArmOutcome> {
  const raw = armConfig(experiment, control);
  const powers = experiment.power ? (experiment.power.quick ?? experiment.power.values) : [undefined];
  const runs: SeedResult<unknown>[] = [];
  for (const power of powers) {
    const config = validateConfig(
      experiment,
      power === undefined ? raw : setPath(raw, experiment.power!.param, power),
    );
    for (const seed of seeds) {
      const { result } = await runExperimentInProcess(experiment, config, seed);
      runs.push({ seed, power, config, result });
    }
  }
  const { checks } = checkClaim(experiment as Experiment, runs);
  return { runs, checks, passed: Object.fromEntries(checks.map((c) => [c.name, c.passed])) };
}

/** Whether each of the experiment's competence gates is met on these runs. */
export function checkGates<C>(experiment: Experiment<C>, runs: readonly SeedResult<unknown>[]): boolean[] {
  return (experiment.gates?.(runs as readonly SeedResult<C>[]) ?? []).map((g) => g.passed);
}
