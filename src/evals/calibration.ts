/**
 * Calibration of stated or predicted confidence against outcomes: one expected calibration
 * error (ECE, Naeini et al. 2015; Guo et al. 2017) with its reliability bins, and the Brier
 * score. Confidences are probabilities in [0, 1] that the answer is right; `correct` says
 * whether it was.
 */

/** Equal-width bins over [0, 1], or one bin per distinct stated value (confidence words). */
export type Binning = { equalWidth: number } | 'by-value';

export interface ReliabilityBin {
  /** The bin's confidence range (lo = hi for by-value bins). */
  lo: number;
  hi: number;
  count: number;
  /** Mean stated confidence in the bin. */
  confidence: number;
  /** Share right in the bin. */
  accuracy: number;
}

function checkInputs(confidences: readonly number[], correct: readonly (boolean | number)[]): void {
  if (confidences.length !== correct.length) {
    throw new RangeError(`calibration: ${confidences.length} confidences but ${correct.length} outcomes`);
  }
}

/** The non-empty reliability bins, in ascending confidence. */
export function reliabilityBins(
  confidences: readonly number[],
  correct: readonly (boolean | number)[],
  binning: Binning = { equalWidth: 10 },
): ReliabilityBin[] {
  checkInputs(confidences, correct);
  const groups = new Map<number, { lo: number; hi: number; n: number; conf: number; right: number }>();
  for (let i = 0; i < confidences.length; i++) {
    const c = confidences[i];
    let key: number;
    let lo: number;
    let hi: number;
    if (binning === 'by-value') {
      key = c;
      lo = c;
      hi = c;
    } else {
      const bins = binning.equalWidth;
      // Bin b holds (b/B, (b+1)/B]; confidence 0 joins the first bin.
      key = Math.min(bins - 1, Math.max(0, Math.ceil(c * bins) - 1));
      lo = key / bins;
      hi = (key + 1) / bins;
    }
    const group = groups.get(key) ?? { lo, hi, n: 0, conf: 0, right: 0 };
    group.n++;
    group.conf += c;
    group.right += Number(correct[i]);
    groups.set(key, group);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, g]) => ({ lo: g.lo, hi: g.hi, count: g.n, confidence: g.conf / g.n, accuracy: g.right / g.n }));
}

/** ECE = Σ_b (n_b / n) · |accuracy_b − confidence_b|; NaN with no samples. */
export function expectedCalibrationError(
  confidences: readonly number[],
  correct: readonly (boolean | number)[],
  binning: Binning = { equalWidth: 10 },
): number {
  if (confidences.length === 0) return Number.NaN;
  const bins = reliabilityBins(confidences, correct, binning);
  let ece = 0;
  for (const b of bins) ece += (b.count / confidences.length) * Math.abs(b.accuracy - b.confidence);
  return ece;
}

/** Brier score: the mean squared difference between confidence and outcome (0 is perfect). */
export function brierScore(confidences: readonly number[], correct: readonly (boolean | number)[]): number {
  checkInputs(confidences, correct);
  if (confidences.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < confidences.length; i++) sum += (confidences[i] - Number(correct[i])) ** 2;
  return sum / confidences.length;
}
