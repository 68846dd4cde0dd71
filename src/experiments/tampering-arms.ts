/**
 * What the tampering studies (rocks-diamonds, tomato-watering) share: training any learner in
 * chunks while the evaluator logs the greedy policy's two scores on its own copy of the world.
 */
import type { Policy } from '../agents/policy.js';
import type { Rng } from '../core/rng.js';
import type { MadeEnv } from '../envs/grid/definition.js';
import { evaluatePolicy } from './evaluation.js';
import type { RunContext } from './types.js';

export interface ChunkedLearner {
  train(episodes: number): void;
  readonly episodes: number;
  readonly steps: number;
  policy(): Policy;
}

/**
 * Trains `learner` for `total` episodes in `checkpoints` chunks; after each, the evaluator plays
 * the greedy policy for `evalEpisodes` episodes of `evalWorld` and logs its specified and intended
 * scores under `names` against the learner's steps.
 */
export function trainWithCurve(
  learner: ChunkedLearner,
  total: number,
  curve: {
    checkpoints: number;
    evalEpisodes: number;
    evalWorld: MadeEnv;
    rng: Rng;
    names: readonly [string, string];
  },
  ctx: RunContext,
): Policy {
  const chunk = Math.max(1, Math.ceil(total / curve.checkpoints));
  while (learner.episodes < total) {
    learner.train(Math.min(chunk, total - learner.episodes));
    const e = evaluatePolicy(curve.evalWorld, learner.policy(), curve.rng, curve.evalEpisodes);
    ctx.log(learner.steps, curve.names[0], e.specified);
    ctx.log(learner.steps, curve.names[1], e.intended);
    ctx.signal.throwIfAborted();
  }
  return learner.policy();
}
