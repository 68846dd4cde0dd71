/**
 * From stored runs to what a claim is checked on: per-seed results, their mean at the
 * highest optimization power, and the experiment's checks over them.
 */
import { mean } from '../experiments/checks.js';
import type { ClaimCheck, Experiment, RunResult, SeedResult, SweepValue } from '../experiments/types.js';
import type { RunRecord } from './store.js';

export function seedResults(records: readonly RunRecord[]): SeedResult<unknown>[] {
  return records
    .filter((r) => r.status === 'done' && r.result)
    .map((r) => ({ seed: r.seed, power: r.sweepValue ?? undefined, config: r.config, result: r.result! }));
}

/** The alignment gap of a result, when the best achievable intended score is known. */
export function alignmentGap(result: RunResult): number | undefined {
  return result.intendedBest === undefined ? undefined : result.intendedBest - result.intended;
}

/** The field-wise mean of results (summary numbers too; a field missing anywhere is dropped). */
export function meanResult(results: readonly RunResult[]): RunResult {
  const out: RunResult = {
    specified: mean(results.map((r) => r.specified)),
    intended: mean(results.map((r) => r.intended)),
  };
  if (results.length > 0 && results.every((r) => r.intendedBest !== undefined)) {
    out.intendedBest = mean(results.map((r) => r.intendedBest!));
  }
  const keys = new Set(results.flatMap((r) => Object.keys(r.summary ?? {})));
  const summary: Record<string, number> = {};
  for (const key of keys) {
    if (results.every((r) => r.summary && key in r.summary))
      summary[key] = mean(results.map((r) => r.summary![key]));
  }
  if (Object.keys(summary).length > 0) out.summary = summary;
  return out;
}

/** Sweep values in order: numbers ascending, otherwise as first seen. */
export function powersOf(runs: readonly SeedResult<unknown>[]): (SweepValue | undefined)[] {
  const seen = [...new Set(runs.map((r) => r.power))];
  return seen.every((p) => typeof p === 'number') ? (seen as number[]).sort((a, b) => a - b) : seen;
}

/** The mean over seeds at the last (highest) sweep value, or over all runs when there is no sweep. */
export function resultAtHighestPower(runs: readonly SeedResult<unknown>[]): RunResult {
  const powers = powersOf(runs);
  const top = powers[powers.length - 1];
  return meanResult(runs.filter((r) => r.power === top).map((r) => r.result));
}

export interface ClaimVerdict {
  result: RunResult;
  checks: ClaimCheck[];
}

/** Runs the experiment's own checks; an exception in a check is a failed check, not a crash. */
export function checkClaim(experiment: Experiment, runs: readonly SeedResult<unknown>[]): ClaimVerdict {
  if (runs.length === 0) {
    return {
      result: { specified: Number.NaN, intended: Number.NaN },
      checks: [{ name: 'runs finished', passed: false, value: 0, expected: '>= 1' }],
    };
  }
  const result = resultAtHighestPower(runs);
  try {
    return { result, checks: experiment.check(result, runs) };
  } catch (error) {
    return {
      result,
      checks: [
        {
          name: `check raised ${(error as Error).message}`,
          passed: false,
          value: Number.NaN,
          expected: 'no error',
        },
      ],
    };
  }
}
