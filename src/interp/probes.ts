/**
 * Linear probes on hidden states: a supervised logistic probe, its AUROC, and contrast-
 * consistent search (CCS, Burns et al. 2022), the unsupervised probe that looks for a direction
 * on which a statement and its negation get complementary probabilities.
 *
 * Everything is plain arithmetic on Float32Array rows (widths of tens, hundreds of rows): full-
 * batch Adam, seeded initialisation, no tensors, so a probe is fast and bit-for-bit repeatable.
 */
import type { Rng } from '../core/rng.js';

export type Rows = readonly Float32Array[];

export interface LinearProbe {
  weight: Float64Array;
  bias: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function score(probe: LinearProbe, x: Float32Array): number {
  let z = probe.bias;
  for (let j = 0; j < x.length; j++) z += probe.weight[j] * x[j];
  return z;
}

/** Probability the probe gives each row. */
export function probeProbabilities(probe: LinearProbe, rows: Rows): number[] {
  return rows.map((x) => sigmoid(score(probe, x)));
}

/** Per-dimension mean and standard deviation of `rows` (std floored so constant dims stay finite). */
export function standardizer(rows: Rows): { mean: Float64Array; std: Float64Array } {
  const d = rows[0]?.length ?? 0;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (const x of rows) for (let j = 0; j < d; j++) mean[j] += x[j] / rows.length;
  for (const x of rows) for (let j = 0; j < d; j++) std[j] += (x[j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < d; j++) std[j] = Math.max(Math.sqrt(std[j]), 1e-6);
  return { mean, std };
}

/** Rows with `stats` (from `standardizer`) subtracted and divided out. */
export function standardize(rows: Rows, stats: { mean: Float64Array; std: Float64Array }): Float32Array[] {
  return rows.map((x) => Float32Array.from(x, (v, j) => (v - stats.mean[j]) / stats.std[j]));
}

/**
 * Adam on a linear probe's (weight, bias) with a gradient function over the whole batch;
 * `weightDecay` > 0 makes it AdamW (decoupled decay of every parameter, as torch.optim.AdamW).
 */
function adam(
  probe: LinearProbe,
  gradient: (probe: LinearProbe, gw: Float64Array) => { loss: number; gb: number },
  steps: number,
  learningRate: number,
  weightDecay = 0,
): number {
  const d = probe.weight.length;
  const m = new Float64Array(d + 1);
  const v = new Float64Array(d + 1);
  const gw = new Float64Array(d);
  const b1 = 0.9;
  const b2 = 0.999;
  let loss = Number.NaN;
  for (let t = 1; t <= steps; t++) {
    gw.fill(0);
    const r = gradient(probe, gw);
    loss = r.loss;
    if (weightDecay > 0) {
      const keep = 1 - learningRate * weightDecay;
      for (let j = 0; j < d; j++) probe.weight[j] *= keep;
      probe.bias *= keep;
    }
    for (let j = 0; j <= d; j++) {
      const g = j < d ? gw[j] : r.gb;
      m[j] = b1 * m[j] + (1 - b1) * g;
      v[j] = b2 * v[j] + (1 - b2) * g * g;
      const step = (learningRate * (m[j] / (1 - b1 ** t))) / (Math.sqrt(v[j] / (1 - b2 ** t)) + 1e-8);
      if (j < d) probe.weight[j] -= step;
      else probe.bias -= step;
    }
  }
  return loss;
}

export interface LogisticOptions {
  steps?: number;
  learningRate?: number;
  /** L2 penalty on the weight (keeps a separable set's weights finite). */
  l2?: number;
}

/** A logistic-regression probe fitted to `labels` (0/1) by full-batch Adam from zero. */
export function fitLogisticProbe(
  rows: Rows,
  labels: readonly number[],
  options: LogisticOptions = {},
): LinearProbe {
  const { steps = 300, learningRate = 0.05, l2 = 1e-3 } = options;
  const d = rows[0].length;
  const probe: LinearProbe = { weight: new Float64Array(d), bias: 0 };
  adam(
    probe,
    (p, gw) => {
      let loss = 0;
      let gb = 0;
      rows.forEach((x, i) => {
        const q = sigmoid(score(p, x));
        const y = labels[i];
        loss -= (y * Math.log(q + 1e-12) + (1 - y) * Math.log(1 - q + 1e-12)) / rows.length;
        const g = (q - y) / rows.length;
        gb += g;
        for (let j = 0; j < d; j++) gw[j] += g * x[j];
      });
      for (let j = 0; j < d; j++) gw[j] += l2 * p.weight[j];
      return { loss, gb };
    },
    steps,
    learningRate,
  );
  return probe;
}

/** Area under the ROC curve of `scores` for `labels` (Mann–Whitney; ties count one half). */
export function auroc(scores: readonly number[], labels: readonly number[]): number {
  const pos: number[] = [];
  const neg: number[] = [];
  scores.forEach((s, i) => {
    (labels[i] ? pos : neg).push(s);
  });
  if (pos.length === 0 || neg.length === 0) return Number.NaN;
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p > n ? 1 : p === n ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

export interface ContrastPairs {
  /** Hidden states of each statement with the answer "yes/true" appended. */
  positive: Rows;
  /** The same statements with "no/false". */
  negative: Rows;
}

export interface CcsOptions {
  /** Random restarts; the probe with the lowest loss is kept (the reference code's ntries = 10). */
  restarts?: number;
  /** Full-batch epochs per restart (the reference code's nepochs = 1000). */
  steps?: number;
  /** AdamW step size (the reference code's lr = 1e-3). */
  learningRate?: number;
  /** AdamW's decoupled weight decay (the reference code's weight_decay = 0.01). */
  weightDecay?: number;
}

export interface CcsProbe {
  probe: LinearProbe;
  /** The normalisations of the two halves (each half centred and scaled on its own). */
  positiveStats: { mean: Float64Array; std: Float64Array };
  negativeStats: { mean: Float64Array; std: Float64Array };
  loss: number;
}

/**
 * CCS (Burns et al. 2022): with each half normalised on its own (so the answer token itself is
 * no longer a direction), fit p(x) = σ(w·x + b) to minimise
 *   L = mean[(p(x⁺) − (1 − p(x⁻)))² + min(p(x⁺), p(x⁻))²]
 * — consistency plus confidence — from `restarts` random starts, keeping the lowest loss.
 * The defaults are those of the paper's code (collin-burns/discovering_latent_knowledge, class
 * CCS): a linear probe initialised as torch's nn.Linear (uniform in ±1/√d, bias too), full-batch
 * AdamW at lr 1e-3 with weight decay 0.01 for 1000 epochs, 10 tries. Each half is centred and
 * divided by its std as the paper's text says (its code divides only with var_normalize). No
 * labels are read.
 */
export function fitCcs(pairs: ContrastPairs, rng: Rng, options: CcsOptions = {}): CcsProbe {
  const { restarts = 10, steps = 1000, learningRate = 1e-3, weightDecay = 0.01 } = options;
  const positiveStats = standardizer(pairs.positive);
  const negativeStats = standardizer(pairs.negative);
  const xp = standardize(pairs.positive, positiveStats);
  const xn = standardize(pairs.negative, negativeStats);
  const d = xp[0].length;
  const n = xp.length;
  const bound = 1 / Math.sqrt(d);
  let best: CcsProbe | undefined;
  for (let r = 0; r < restarts; r++) {
    const init = rng.derive(`ccs-restart-${r}`);
    const probe: LinearProbe = {
      weight: Float64Array.from({ length: d }, () => (2 * init.next() - 1) * bound),
      bias: (2 * init.next() - 1) * bound,
    };
    adam(
      probe,
      (p, gw) => {
        let loss = 0;
        let gb = 0;
        for (let i = 0; i < n; i++) {
          const a = sigmoid(score(p, xp[i]));
          const b = sigmoid(score(p, xn[i]));
          const c = a + b - 1;
          const m = Math.min(a, b);
          loss += (c * c + m * m) / n;
          const ga = (2 * c + (a <= b ? 2 * m : 0)) * a * (1 - a);
          const gbn = (2 * c + (b < a ? 2 * m : 0)) * b * (1 - b);
          gb += (ga + gbn) / n;
          for (let j = 0; j < d; j++) gw[j] += (ga * xp[i][j] + gbn * xn[i][j]) / n;
        }
        return { loss, gb };
      },
      steps,
      learningRate,
      weightDecay,
    );
    const loss = ccsLoss(probe, xp, xn);
    if (!best || loss < best.loss) best = { probe, positiveStats, negativeStats, loss };
  }
  return best as CcsProbe;
}

function ccsLoss(probe: LinearProbe, xp: Rows, xn: Rows): number {
  let loss = 0;
  for (let i = 0; i < xp.length; i++) {
    const a = sigmoid(score(probe, xp[i]));
    const b = sigmoid(score(probe, xn[i]));
    loss += ((a + b - 1) ** 2 + Math.min(a, b) ** 2) / xp.length;
  }
  return loss;
}

/**
 * CCS's credence that each statement is true: ½(p(x⁺) + 1 − p(x⁻)), with the normalisations
 * the probe was fitted with (a test set is never re-centred on itself).
 */
export function ccsCredence(ccs: CcsProbe, pairs: ContrastPairs): number[] {
  const xp = standardize(pairs.positive, ccs.positiveStats);
  const xn = standardize(pairs.negative, ccs.negativeStats);
  return xp.map((x, i) => 0.5 * (sigmoid(score(ccs.probe, x)) + 1 - sigmoid(score(ccs.probe, xn[i]))));
}

/** Share of credences on the right side of ½. */
export function accuracy(credences: readonly number[], labels: readonly number[]): number {
  let right = 0;
  credences.forEach((c, i) => {
    right += (c > 0.5 ? 1 : 0) === labels[i] ? 1 : 0;
  });
  return right / credences.length;
}

/**
 * Accuracy of an unsupervised probe: CCS cannot know which end of its direction is "true", so
 * Burns et al. score it as max(acc, 1 − acc).
 */
export function signFreeAccuracy(credences: readonly number[], labels: readonly number[]): number {
  const a = accuracy(credences, labels);
  return Math.max(a, 1 - a);
}
