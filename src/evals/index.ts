/**
 * The evaluation measures every part of the lab shares: calibration (one ECE, reliability bins,
 * Brier), shares with Wilson intervals (accuracy, agreement, Cohen's kappa), KL estimators, and
 * bootstrap confidence intervals. Pure functions of numbers; no I/O.
 */
export {
  type BootstrapOptions,
  bootstrapInterval,
  bootstrapIntervals,
  type Interval,
  meanInterval,
  quantile,
} from './bootstrap.js';
export {
  type Binning,
  brierScore,
  expectedCalibrationError,
  type ReliabilityBin,
  reliabilityBins,
} from './calibration.js';
export { type KlEstimator, klDivergence, klEstimate } from './kl.js';
export {
  accuracy,
  agreement,
  cohensKappa,
  type Proportion,
  proportion,
  wilsonInterval,
} from './proportions.js';
