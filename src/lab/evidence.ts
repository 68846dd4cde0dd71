/**
 * How a claim earns its verdict (../shared/DESIGN.md, "Evidence"). From the runs of the main
 * arm and of each control arm (same seeds, same sweep), this computes:
 * - every check on the mean over seeds, on each seed alone, and a 95% percentile-bootstrap
 *   interval of its value over seeds (seeds resampled with replacement and renumbered);
 * - the same checks on each control arm: a check that no control fails cannot tell the claim
 *   from its absence and is reported as uninformative;
 * - the competence gates on the main runs;
 * - the verdict: `holds` when every gate passes, every check passes on the mean and on at least
 *   80% of seeds, and every check is failed by some (complete) control; `inconclusive` when a gate
 *   fails; `fails` otherwise. Pure: data in, data out.
 * `gatesMet` tells the runners whether the controls are worth running: below a gate the verdict is
 * `inconclusive` whatever they show, so `reproduce` runs the main arms first and skips the controls
 * of a claim that cannot be judged (they appear with 0 planned runs).
 */
import { bootstrapIntervals } from '../evals/bootstrap.js';
import type { ClaimCheck, ControlArm, Experiment, RunResult, SeedResult } from '../experiments/types.js';
import { resultAtHighestPower } from './summary.js';

/** A reproduction's verdict: `holds`, `fails` or `inconclusive` (a gate failed). */
export type Verdict = 'holds' | 'fails' | 'inconclusive';

/** Share of seeds on which each check must pass by itself. */
export const SEED_PASS_SHARE = 0.8;
/** Bootstrap resamples per interval: the checks are re-evaluated on each. */
export const BOOTSTRAP_RESAMPLES = 1000;

export interface SeedOutcome {
  seed: number;
  value: number;
  passed: boolean;
}

export interface ControlOutcome {
  name: string;
  value: number;
  passed: boolean;
}

/** One check judged on the mean, on each seed alone, by bootstrap, and on each control. */
export interface CheckEvidence extends ClaimCheck {
  /** Seeds the check was evaluated on alone, and on how many of them it passed. */
  seeds: number;
  seedsPassed: number;
  perSeed: SeedOutcome[];
  /** 95% bootstrap interval of the value over seeds; null with fewer than two seeds. */
  ci: [number, number] | null;
  controls: ControlOutcome[];
  /** Some complete control fails this check (else it cannot tell the claim from its absence). */
  informative: boolean;
}

export interface ControlSummary {
  name: string;
  why: string;
  /** Runs that finished, and those that were planned. */
  runs: number;
  planned: number;
  result: RunResult;
}

/** A reproduction's verdict, the reasons for it, its gates, checks and controls. */
export interface Evidence {
  verdict: Verdict;
  /** Why the verdict is not `holds`, one line each (empty when it holds). */
  reasons: string[];
  /** Mean over seeds at the highest power. */
  result: RunResult;
  gates: ClaimCheck[];
  checks: CheckEvidence[];
  controls: ControlSummary[];
}

/** One arm's runs (main or control) and how many were planned. */
export interface ArmRuns<C = unknown> {
  runs: readonly SeedResult<C>[];
  /** Runs that were planned (failed or interrupted runs are missing from `runs`). */
  planned: number;
}

/** Whether the experiment's competence gates are met on its main runs (true when it has none). */
export function gatesMet(experiment: Experiment, main: ArmRuns): boolean {
  return safeGates(experiment, main.runs).every((g) => g.passed);
}

/** Calls the experiment's checks; an exception is one failed check named after it. */
function safeChecks(experiment: Experiment, runs: readonly SeedResult<unknown>[]): ClaimCheck[] {
  if (runs.length === 0) return [];
  try {
    return experiment.check(resultAtHighestPower(runs), runs);
  } catch (error) {
    return [
      { name: 'check raised an error', passed: false, value: Number.NaN, expected: (error as Error).message },
    ];
  }
}

function safeGates(experiment: Experiment, runs: readonly SeedResult<unknown>[]): ClaimCheck[] {
  if (!experiment.gates) return [];
  try {
    return experiment.gates(runs);
  } catch (error) {
    return [
      { name: 'gate raised an error', passed: false, value: Number.NaN, expected: (error as Error).message },
    ];
  }
}

/** The runs grouped by seed, in ascending seed order. */
export function runsBySeed<C>(runs: readonly SeedResult<C>[]): Map<number, SeedResult<C>[]> {
  const bySeed = new Map<number, SeedResult<C>[]>();
  for (const run of [...runs].sort((a, b) => a.seed - b.seed)) {
    if (!bySeed.has(run.seed)) bySeed.set(run.seed, []);
    bySeed.get(run.seed)!.push(run);
  }
  return bySeed;
}

/** Seeds needed to pass out of `seeds`: at least 80%, rounded up. */
export function seedsNeeded(seeds: number): number {
  return Math.ceil(SEED_PASS_SHARE * seeds - 1e-9);
}

/** Judges an experiment's claim from its main arm's runs and its controls' runs. */
export function assessClaim(
  experiment: Experiment,
  main: ArmRuns,
  controls: readonly { arm: ControlArm<unknown>; runs: ArmRuns }[],
): Evidence {
  const reasons: string[] = [];
  const onMean = safeChecks(experiment, main.runs);
  const bySeed = runsBySeed(main.runs);

  const perSeed = new Map<string, SeedOutcome[]>();
  for (const [seed, runs] of bySeed) {
    const checks = new Map(safeChecks(experiment, runs).map((c) => [c.name, c]));
    for (const check of onMean) {
      const one = checks.get(check.name);
      if (!perSeed.has(check.name)) perSeed.set(check.name, []);
      perSeed.get(check.name)!.push({ seed, value: one?.value ?? Number.NaN, passed: one?.passed ?? false });
    }
  }

  // Seeds resampled with replacement; each drawn seed becomes a distinct seed 0..n-1.
  const groups = [...bySeed.values()];
  const intervals = bootstrapIntervals(
    groups,
    (sample) =>
      new Map(
        safeChecks(
          experiment,
          sample.flatMap((runs, i) => runs.map((r) => ({ ...r, seed: i }))),
        ).map((c) => [c.name, c.value]),
      ),
    { resamples: BOOTSTRAP_RESAMPLES, seed: 20_240_601 },
  );

  const controlChecks = controls.map(({ arm, runs }) => ({
    arm,
    complete: runs.runs.length === runs.planned && runs.planned > 0,
    checks: new Map(safeChecks(experiment, runs.runs).map((c) => [c.name, c])),
  }));

  const checks: CheckEvidence[] = onMean.map((check) => {
    const seeds = perSeed.get(check.name) ?? [];
    const interval = intervals.get(check.name);
    const controlOutcomes = controlChecks
      .filter((c) => c.checks.has(check.name))
      .map((c) => ({
        name: c.arm.name,
        value: c.checks.get(check.name)!.value,
        passed: c.checks.get(check.name)!.passed,
      }));
    const informative = controlChecks.some((c) => c.complete && c.checks.get(check.name)?.passed === false);
    return {
      ...check,
      seeds: seeds.length,
      seedsPassed: seeds.filter((s) => s.passed).length,
      perSeed: seeds,
      ci: interval ? [interval.lo, interval.hi] : null,
      controls: controlOutcomes,
      informative,
    };
  });

  const gates = safeGates(experiment, main.runs);
  for (const gate of gates.filter((g) => !g.passed)) {
    reasons.push(`gate '${gate.name}' not met: ${gate.value} (needs ${gate.expected})`);
  }
  if (main.runs.length < main.planned) {
    reasons.push(`${main.planned - main.runs.length} of ${main.planned} runs did not finish`);
  }
  if (checks.length === 0) reasons.push('no checks were computed');
  if (experiment.controls.length === 0) reasons.push('the experiment declares no controls');
  const skipped = controls.filter((c) => c.runs.planned === 0).map((c) => c.arm.name);
  if (skipped.length > 0) reasons.push(`controls not run (a gate is not met): ${skipped.join(', ')}`);
  for (const c of controlChecks.filter((c) => !c.complete && !skipped.includes(c.arm.name))) {
    reasons.push(`control '${c.arm.name}' did not finish all its runs; it counts for no check`);
  }
  for (const check of checks) {
    if (!check.passed)
      reasons.push(`check '${check.name}' fails on the mean: ${check.value} (expected ${check.expected})`);
    if (check.seedsPassed < seedsNeeded(check.seeds)) {
      reasons.push(
        `check '${check.name}' passes on ${check.seedsPassed}/${check.seeds} seeds (needs ${seedsNeeded(check.seeds)})`,
      );
    }
    if (!check.informative) reasons.push(`check '${check.name}' is uninformative: no control fails it`);
  }

  const gated = gates.some((g) => !g.passed);
  const verdict: Verdict = gated ? 'inconclusive' : reasons.length === 0 ? 'holds' : 'fails';
  return {
    verdict,
    reasons,
    result: main.runs.length
      ? resultAtHighestPower(main.runs)
      : { specified: Number.NaN, intended: Number.NaN },
    gates,
    checks,
    controls: controls.map(({ arm, runs }) => ({
      name: arm.name,
      why: arm.why,
      runs: runs.runs.length,
      planned: runs.planned,
      result: runs.runs.length
        ? resultAtHighestPower(runs.runs)
        : { specified: Number.NaN, intended: Number.NaN },
    })),
  };
}
