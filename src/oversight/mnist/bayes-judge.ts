/**
 * A fast sparse judge for quick runs: naive Bayes over the revealed pixels. From the training
 * digits it counts, per pixel and class, how often the pixel's value falls in each of a few
 * intensity bins (add-one smoothed); a set of revealed pixels then scores each class by
 * log P(c) + Σ_p log P(bin(v_p) | c, p). It is fitted by counting (a second, no SGD), an
 * evaluation costs k·10 additions, and the first-order gain of a reveal is exact (the score is
 * additive). It is not the paper's judge: a revealed pixel's evidence never depends on the others,
 * which the conv judge's can.
 */
import { CLASSES, type DigitSet, digit, PIXELS } from './data.js';
import { logSoftmax, type SparseJudge } from './judge.js';

/** Intensity bins: 0, (0, 1/3], (1/3, 2/3], (2/3, 1]. */
export const BINS = 4;
const binOf = (v: number) => (v <= 0 ? 0 : v <= 1 / 3 ? 1 : v <= 2 / 3 ? 2 : 3);

export class BayesJudge implements SparseJudge {
  /** log P(bin | class, pixel), [pixel][bin][class]. */
  readonly table: Float64Array;
  readonly logPrior: Float64Array;

  constructor(train: DigitSet, smoothing = 1) {
    const counts = new Float64Array(PIXELS * BINS * CLASSES);
    const classCounts = new Float64Array(CLASSES);
    for (let d = 0; d < train.count; d++) {
      const c = train.labels[d];
      classCounts[c]++;
      const image = digit(train, d);
      for (let p = 0; p < PIXELS; p++) counts[(p * BINS + binOf(image[p])) * CLASSES + c]++;
    }
    this.table = new Float64Array(counts.length);
    for (let p = 0; p < PIXELS; p++)
      for (let b = 0; b < BINS; b++)
        for (let c = 0; c < CLASSES; c++) {
          const i = (p * BINS + b) * CLASSES + c;
          this.table[i] = Math.log((counts[i] + smoothing) / (classCounts[c] + BINS * smoothing));
        }
    this.logPrior = classCounts.map((n) => Math.log(n / train.count));
  }

  logProbs(pixels: ArrayLike<number>, image: ArrayLike<number>): Float64Array {
    const scores = Float64Array.from(this.logPrior);
    for (let n = 0; n < pixels.length; n++) {
      const p = pixels[n];
      const row = (p * BINS + binOf(image[p])) * CLASSES;
      for (let c = 0; c < CLASSES; c++) scores[c] += this.table[row + c];
    }
    return logSoftmax(scores);
  }

  /** Exact, not first-order: the score is additive, so revealing p adds its row whatever else is shown. */
  revealGradient(
    _pixels: ArrayLike<number>,
    image: ArrayLike<number>,
    weights: ArrayLike<number>,
  ): Float64Array {
    const out = new Float64Array(PIXELS);
    for (let p = 0; p < PIXELS; p++) {
      const row = (p * BINS + binOf(image[p])) * CLASSES;
      let g = 0;
      for (let c = 0; c < CLASSES; c++) g += weights[c] * this.table[row + c];
      out[p] = g;
    }
    return out;
  }
}
