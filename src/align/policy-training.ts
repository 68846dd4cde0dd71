/**
 * The loop PPO and DPO share: a trainable clone of the starting policy (optionally with scalar
 * heads), a frozen clone as the reference, AdamW over the trainable weights, one `step` per
 * iteration with an abort check before it and a yield after it (so Ctrl-C is delivered), and
 * every model freed if training fails. The starting policy is never changed.
 */
import type { Rng } from '../core/rng.js';
import type { Tokenizer } from '../lm/tokenizer.js';
import { AdamW, cloneTransformer, type Transformer } from '../nn/index.js';

export interface PolicyTrainingState {
  policy: Transformer;
  reference: Transformer;
  optimizer: AdamW;
}

/** One finished step: its number (from 1), the total, its metrics and the policy being trained. */
export interface PolicyTrainingStep<M> {
  step: number;
  steps: number;
  metrics: M;
  policy: Transformer;
}

/** What a trainer returns: the trained policy, the frozen reference and each step's metrics. */
export interface PolicyTrainingResult<M> {
  policy: Transformer;
  reference: Transformer;
  history: M[];
}

/** What every trainer against a reference takes besides its data: `C` its config, `M` its step metrics. */
export interface PolicyTrainingOptions<C, M> {
  /** The starting (SFT) policy: cloned, never changed. */
  policy: Transformer;
  tokenizer: Tokenizer;
  config?: C;
  rng: Rng;
  signal?: AbortSignal;
  onStep?: (step: PolicyTrainingStep<M>) => void;
}

export async function trainAgainstReference<M>(options: {
  start: Transformer;
  /** Scalar heads of the trained policy (PPO's value head) and the seed of their initialization. */
  scalarHeads?: string[];
  headSeed?: number;
  learningRate: number;
  steps: number;
  signal?: AbortSignal;
  /** Runs once before the first step (e.g. the reference's log-probabilities); returns per-run data. */
  prepare?: (state: PolicyTrainingState) => void;
  step: (step: number, state: PolicyTrainingState) => M;
  onStep?: (p: PolicyTrainingStep<M>) => void;
}): Promise<PolicyTrainingResult<M>> {
  const reference = cloneTransformer(options.start, { scalarHeads: [] });
  const policy = cloneTransformer(options.start, {
    scalarHeads: options.scalarHeads ?? [],
    seed: options.headSeed,
  });
  const optimizer = new AdamW(policy.namedWeights(), { learningRate: options.learningRate, weightDecay: 0 });
  const state = { policy, reference, optimizer };
  const history: M[] = [];
  try {
    options.prepare?.(state);
    for (let step = 0; step < options.steps; step++) {
      options.signal?.throwIfAborted();
      const metrics = options.step(step, state);
      history.push(metrics);
      options.onStep?.({ step: step + 1, steps: options.steps, metrics, policy });
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    optimizer.dispose();
    policy.dispose();
    reference.dispose();
    throw error;
  }
  optimizer.dispose();
  return { policy, reference, history };
}
