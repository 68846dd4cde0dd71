/**
 * Bootstrap confidence intervals (Efron 1979; the percentile interval of Efron & Tibshirani
 * 1993, ch. 13): resample the units with replacement, recompute the statistic, and read the
 * interval off the quantiles of the resampled statistics. Seeded, so the same data and seed
 * give the same interval on any machine.
 */
import { Rng } from '../core/rng.js';

/** A two-sided interval at `level` (0.95 for 95%). */
export interface Interval {
  lo: number;
  hi: number;
  level: number;
}

export interface BootstrapOptions {
  /** Resamples; 2,000 keeps the 2.5% and 97.5% quantiles within about ±0.01 sd of their limit. */
  resamples?: number;
  level?: number;
  seed?: number;
}

/** The q-quantile of sorted values, linearly interpolated (numpy's default, type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * The percentile bootstrap interval of `statistic` over `units`. Resamples whose statistic is
 * not finite are left out; `null` when fewer than two units or no finite resample.
 */
export function bootstrapInterval<T>(
  units: readonly T[],
  statistic: (sample: readonly T[]) => number,
  options: BootstrapOptions = {},
): Interval | null {
  const level = options.level ?? 0.95;
  if (units.length < 2) return null;
  const rng = new Rng([options.seed ?? 0, units.length]);
  const resamples = options.resamples ?? 2000;
  const values: number[] = [];
  const sample = new Array<T>(units.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[rng.int(units.length)];
    const value = statistic(sample);
    if (Number.isFinite(value)) values.push(value);
  }
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return { lo: quantile(values, tail), hi: quantile(values, 1 - tail), level };
}

/** The mean of `values` with its 95% bootstrap interval. */
export function meanInterval(values: readonly number[], options: BootstrapOptions = {}): Interval | null {
  return bootstrapInterval(values, (sample) => sample.reduce((a, b) => a + b, 0) / sample.length, options);
}

/**
 * Percentile intervals of several named statistics computed together from each resample
 * (one call of `statistics` per resample, however many names it returns).
 */
export function bootstrapIntervals<T>(
  units: readonly T[],
  statistics: (sample: readonly T[]) => ReadonlyMap<string, number>,
  options: BootstrapOptions = {},
): Map<string, Interval | null> {
  const level = options.level ?? 0.95;
  const out = new Map<string, Interval | null>();
  if (units.length < 2) return out;
  const rng = new Rng([options.seed ?? 0, units.length]);
  const resamples = options.resamples ?? 2000;
  const values = new Map<string, number[]>();
  const sample = new Array<T>(units.length);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < units.length; i++) sample[i] = units[rng.int(units.length)];
    for (const [name, value] of statistics(sample)) {
      if (!values.has(name)) values.set(name, []);
      if (Number.isFinite(value)) values.get(name)!.push(value);
    }
  }
  const tail = (1 - level) / 2;
  for (const [name, list] of values) {
    list.sort((a, b) => a - b);
    out.set(
      name,
      list.length === 0 ? null : { lo: quantile(list, tail), hi: quantile(list, 1 - tail), level },
    );
  }
  return out;
}
