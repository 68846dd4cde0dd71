/**
 * Claim checks computed from measured numbers. Each returns the value it judged, so a
 * report shows how far a claim is from failing, not just pass/fail.
 */
import type { ClaimCheck } from './types.js';

/** A claim check that passes when `value >= threshold`. */
export function atLeast(name: string, value: number, threshold: number): ClaimCheck {
  return { name, passed: value >= threshold, value, expected: `>= ${threshold}` };
}

/** A claim check that passes when `value <= threshold`. */
export function atMost(name: string, value: number, threshold: number): ClaimCheck {
  return { name, passed: value <= threshold, value, expected: `<= ${threshold}` };
}

/** A claim check that passes when `lo <= value <= hi`. */
export function between(name: string, value: number, lo: number, hi: number): ClaimCheck {
  return { name, passed: value >= lo && value <= hi, value, expected: `in [${lo}, ${hi}]` };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** The mean over runs of one number in their result summaries (NaN where a run lacks it). */
export function summaryMean(
  runs: readonly { result: { summary?: Record<string, number> } }[],
  key: string,
): number {
  return mean(runs.map((r) => r.result.summary?.[key] ?? Number.NaN));
}
