/**
 * Shares of successes with intervals (accuracy, agreement, win rates), and agreement between
 * two labellers.
 */

export interface Proportion {
  value: number;
  successes: number;
  n: number;
  /** The 95% Wilson score interval (Wilson 1927), sensible at 0, 1 and small n. */
  ci: [number, number] | null;
}

/** The Wilson score interval of `successes` out of `n` at normal quantile `z` (1.96 for 95%). */
export function wilsonInterval(successes: number, n: number, z = 1.959963984540054): [number, number] | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The share of true (or 1) outcomes with its Wilson interval. */
export function proportion(outcomes: readonly (boolean | number)[]): Proportion {
  const successes = outcomes.reduce<number>((s, o) => s + Number(o), 0);
  const n = outcomes.length;
  return { value: n ? successes / n : Number.NaN, successes, n, ci: wilsonInterval(successes, n) };
}

/** The share of items on which two labellers agree, with its interval. */
export function agreement<T>(a: readonly T[], b: readonly T[]): Proportion {
  if (a.length !== b.length) throw new RangeError(`agreement: ${a.length} labels against ${b.length}`);
  return proportion(a.map((x, i) => x === b[i]));
}

/** Cohen's kappa: agreement beyond what the two labellers' marginals give by chance. */
export function cohensKappa<T>(a: readonly T[], b: readonly T[]): number {
  if (a.length !== b.length) throw new RangeError(`kappa: ${a.length} labels against ${b.length}`);
  const n = a.length;
  if (n === 0) return Number.NaN;
  const observed = a.filter((x, i) => x === b[i]).length / n;
  const labels = new Set([...a, ...b]);
  let chance = 0;
  for (const label of labels) {
    chance += (a.filter((x) => x === label).length / n) * (b.filter((x) => x === label).length / n);
  }
  return chance === 1 ? Number.NaN : (observed - chance) / (1 - chance);
}

/** The share of predictions equal to their labels, with its Wilson interval (accuracy = agreement with the truth). */
export function accuracy<T>(predictions: readonly T[], labels: readonly T[]): Proportion {
  if (predictions.length !== labels.length) {
    throw new RangeError(`accuracy: ${predictions.length} predictions against ${labels.length} labels`);
  }
  return proportion(predictions.map((p, i) => p === labels[i]));
}
