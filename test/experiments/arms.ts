/**
 * One arm of a reproduction in a test: its quick config (a control's override merged over it
 * when named) on some seeds, through `armRunsInProcess` — the same arms `reproduce --quick`
 * runs — and the experiment's checks and gates on those runs.
 */
import type { ClaimCheck, Experiment, SeedResult } from '../../src/experiments/types.js';
import { armRunsInProcess } from '../../src/lab/reproduce.js';
import { checkClaim } from '../../src/lab/summary.js';

export interface ArmOutcome {
  runs: SeedResult<unknown>[];
  checks: ClaimCheck[];
  /** Each check's pass/fail by name. */
  passed: Record<string, boolean>;
}

/** Every seed's runs (at every quick sweep point) of the main arm or the named control. */
export async function quickRuns<C>(
  experiment: Experiment<C>,
  seeds: readonly number[],
  control?: string,
): Promise<SeedResult<unknown>[]> {
  const arm = await armRunsInProcess(experiment as Experiment, { quick: true, seeds }, control);
  return [...arm.runs];
}

export async function runArm<C>(
  experiment: Experiment<C>,
  seeds: readonly number[],
  control?: string,
): Promise<ArmOutcome> {
  const runs = await quickRuns(experiment, seeds, control);
  const { checks } = checkClaim(experiment as Experiment, runs);
  return { runs, checks, passed: Object.fromEntries(checks.map((c) => [c.name, c.passed])) };
}

/** Check name → passed, on these runs (all seeds together). */
export function checkOutcomes<C>(experiment: Experiment<C>, runs: readonly SeedResult<unknown>[]) {
  return Object.fromEntries(checkClaim(experiment as Experiment, runs).checks.map((c) => [c.name, c.passed]));
}

/** Whether each of the experiment's competence gates is met on these runs. */
export function checkGates<C>(experiment: Experiment<C>, runs: readonly SeedResult<unknown>[]): boolean[] {
  return (experiment.gates?.(runs as readonly SeedResult<C>[]) ?? []).map((g) => g.passed);
}
