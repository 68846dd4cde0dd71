/**
 * The statistics of an eval: epochs reduce to one mean per item, then items are the units —
 * mean ± standard error and a 95% percentile bootstrap interval over items (Miller 2024,
 * "Adding Error Bars to Evals", clusters by item for the same reason). Errored samples are
 * counted apart and never enter a score. Two runs on the same items compare paired: the mean
 * per-item difference with its bootstrap interval, and McNemar's exact test where scores are binary.
 */
import { type Interval, meanInterval } from '../evals/bootstrap.js';
import type { SampleRecord, Scorer } from './types.js';

export interface ScoreSummary {
  name: string;
  binary: boolean;
  higherIsBetter: boolean;
  /** Items with at least one applicable score (the units of mean, SE and CI). */
  items: number;
  /** Item-epoch samples with an applicable score. */
  samples: number;
  mean: number;
  /** Standard error of the mean over items (sample sd / √n); NaN below two items. */
  se: number;
  ci: Interval | null;
}

export interface Counts {
  /** Item × epoch samples in the run. */
  total: number;
  scored: number;
  /** Model calls failed after their retries: not a verdict on the model, counted apart. */
  errored: number;
  passed: number;
  failed: number;
  /** Scored, but the primary scorer did not apply (e.g. the first answer was already wrong). */
  notApplicable: number;
  /** Samples at least one of whose calls needed a retry (and then succeeded or not). */
  retried: number;
  cachedCalls: number;
  calls: number;
  tokens: number;
}

export interface ItemSummary {
  id: string;
  epochs: number;
  errors: number;
  /** Mean over this item's scored epochs, per scorer (null: never applicable). */
  scores: Record<string, number | null>;
}

export interface GateResult {
  scorer: string;
  min: number;
  value: number;
  met: boolean;
  why: string;
}

export interface RunSummary {
  /** `inconclusive` when a competence gate is not met or the primary scorer applied to no item; else `measured`. */
  verdict: 'measured' | 'inconclusive';
  gates: GateResult[];
  counts: Counts;
  scores: ScoreSummary[];
  items: ItemSummary[];
  metrics: Record<string, number>;
}

export function mean(values: readonly number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN;
}

export function standardError(values: readonly number[]): number {
  if (values.length < 2) return Number.NaN;
  const m = mean(values);
  const variance = values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1);
  return Math.sqrt(variance / values.length);
}

/** Per item, the mean over scored epochs of each scorer. */
export function itemSummaries(
  samples: readonly SampleRecord[],
  scorerNames: readonly string[],
): ItemSummary[] {
  const byItem = new Map<string, SampleRecord[]>();
  for (const s of samples) {
    const list = byItem.get(s.id) ?? [];
    list.push(s);
    byItem.set(s.id, list);
  }
  return [...byItem.entries()].map(([id, list]) => {
    const scores: Record<string, number | null> = {};
    for (const name of scorerNames) {
      const values = list.flatMap((s) => {
        const v = s.status === 'scored' ? s.scores[name]?.value : null;
        return v === null || v === undefined ? [] : [v];
      });
      scores[name] = values.length ? mean(values) : null;
    }
    return { id, epochs: list.length, errors: list.filter((s) => s.status === 'error').length, scores };
  });
}

export function summarize(
  samples: readonly SampleRecord[],
  scorers: readonly Pick<Scorer, 'name' | 'binary' | 'higherIsBetter'>[],
  metrics: Record<string, number> = {},
  seed = 0,
  gates: readonly { scorer: string; min: number; why: string }[] = [],
): RunSummary {
  const items = itemSummaries(
    samples,
    scorers.map((s) => s.name),
  );
  const scores = scorers.map((scorer): ScoreSummary => {
    const values = items.flatMap((i) =>
      i.scores[scorer.name] === null ? [] : [i.scores[scorer.name] as number],
    );
    const applicable = samples.filter(
      (s) =>
        s.status === 'scored' && s.scores[scorer.name]?.value !== null && s.scores[scorer.name] !== undefined,
    ).length;
    return {
      name: scorer.name,
      binary: scorer.binary,
      higherIsBetter: scorer.higherIsBetter,
      items: values.length,
      samples: applicable,
      mean: mean(values),
      se: standardError(values),
      ci: meanInterval(values, { seed }),
    };
  });
  const scored = samples.filter((s) => s.status === 'scored');
  const counts: Counts = {
    total: samples.length,
    scored: scored.length,
    errored: samples.length - scored.length,
    passed: scored.filter((s) => s.passed === true).length,
    failed: scored.filter((s) => s.passed === false).length,
    notApplicable: scored.filter((s) => s.passed === null).length,
    retried: samples.filter((s) => s.attempts > s.calls - s.cachedCalls).length,
    cachedCalls: samples.reduce((a, s) => a + s.cachedCalls, 0),
    calls: samples.reduce((a, s) => a + s.calls, 0),
    tokens: samples.reduce((a, s) => a + s.tokens, 0),
  };
  const gateResults = gates.map((g) => {
    const value = scores.find((s) => s.name === g.scorer)?.mean ?? Number.NaN;
    return { ...g, value, met: value >= g.min };
  });
  // No applicable sample of the primary scorer measures nothing, whatever the gates say.
  const measured = counts.scored > 0 && (scores[0]?.items ?? 0) > 0 && gateResults.every((g) => g.met);
  const verdict = measured ? 'measured' : 'inconclusive';
  return { verdict, gates: gateResults, counts, scores, items, metrics };
}

export interface PairedComparison {
  scorer: string;
  /** Items scored in both runs. */
  items: number;
  meanA: number;
  meanB: number;
  /** Mean over items of (B − A). */
  difference: number;
  se: number;
  ci: Interval | null;
  /** Binary scorers: paired item-epoch samples where exactly one run passed, and McNemar's exact p. */
  mcnemar?: { aOnly: number; bOnly: number; pValue: number };
}

/** Two-sided exact binomial p of McNemar's test: min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½). */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  // log-space binomial coefficients keep n in the thousands finite.
  let logCoef = 0;
  let tail = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logCoef += Math.log(n - i + 1) - Math.log(i);
    tail += Math.exp(logCoef - n * Math.LN2);
  }
  return Math.min(1, 2 * tail);
}

/** Paired comparison of two runs' scorer on the items they share (B − A). */
export function comparePaired(
  a: readonly SampleRecord[],
  b: readonly SampleRecord[],
  scorer: string,
  binary: boolean,
  seed = 0,
): PairedComparison {
  const itemsA = new Map(itemSummaries(a, [scorer]).map((i) => [i.id, i.scores[scorer]]));
  const itemsB = new Map(itemSummaries(b, [scorer]).map((i) => [i.id, i.scores[scorer]]));
  const pairs: [number, number][] = [];
  for (const [id, va] of itemsA) {
    const vb = itemsB.get(id);
    if (va !== null && va !== undefined && vb !== null && vb !== undefined) pairs.push([va, vb]);
  }
  const diffs = pairs.map(([x, y]) => y - x);
  const out: PairedComparison = {
    scorer,
    items: pairs.length,
    meanA: mean(pairs.map((p) => p[0])),
    meanB: mean(pairs.map((p) => p[1])),
    difference: mean(diffs),
    se: standardError(diffs),
    ci: meanInterval(diffs, { seed }),
  };
  if (binary) {
    const key = (s: SampleRecord) => `${s.id}\u0000${s.epoch}`;
    const scoreOf = (s: SampleRecord) => (s.status === 'scored' ? (s.scores[scorer]?.value ?? null) : null);
    const bByKey = new Map(b.map((s) => [key(s), scoreOf(s)]));
    let aOnly = 0;
    let bOnly = 0;
    for (const s of a) {
      const va = scoreOf(s);
      const vb = bByKey.get(key(s));
      if (va === null || vb === null || vb === undefined) continue;
      if (va === 1 && vb === 0) aOnly++;
      if (va === 0 && vb === 1) bOnly++;
    }
    out.mcnemar = { aOnly, bOnly, pValue: mcnemarExact(aOnly, bOnly) };
  }
  return out;
}

/** Samples whose primary outcome differs between two runs (same item and epoch), for the viewer and diff. */
export function changedSamples(
  a: readonly SampleRecord[],
  b: readonly SampleRecord[],
): { id: string; epoch: number; a: boolean | null | 'error'; b: boolean | null | 'error' }[] {
  const outcome = (s: SampleRecord) => (s.status === 'error' ? 'error' : s.passed);
  const byKey = new Map(b.map((s) => [`${s.id}\u0000${s.epoch}`, s]));
  return a.flatMap((s) => {
    const other = byKey.get(`${s.id}\u0000${s.epoch}`);
    if (!other || outcome(s) === outcome(other)) return [];
    return [{ id: s.id, epoch: s.epoch, a: outcome(s), b: outcome(other) }];
  });
}
