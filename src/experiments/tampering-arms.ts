/**
 * What the tampering studies (rocks-diamonds, tomato-watering) share: training any learner in
 * chunks while the evaluator logs the greedy policy's two scores on its own copy of the world.
 */
import type { Policy } from '../agents/policy.js';
import type { Rng } from '../core/rng.js';
import type { MadeEnv } from '../envs/grid/definition.js';
import { evaluatePolicy } from './evaluation.js';
import { INTENDED, type RunContext, SPECIFIED } from './types.js';

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

/** The final evaluation of one arm (what `record` reads to fill the run's summary). */
export type ArmEvaluation = ReturnType<typeof evaluatePolicy>;

/**
 * Trains the standard and the remedy arm in turn on their own seeded copies of the world, logs
 * the standard arm's curve under the report's names (`specified`, `intended`) and the remedy's
 * under `remedy/…`, evaluates each greedy policy, and lets `record` put what the checks read into
 * the summary (`<arm>/specified` and `<arm>/intended` are always there).
 */
export function runTamperingArms<K>(
  spec: {
    world: (rng: Rng) => MadeEnv;
    arms: { standard: K; remedy: K };
    learnerFor: (kind: K, made: MadeEnv, rng: Rng) => ChunkedLearner;
    episodes: number;
    checkpoints: number;
    evalEpisodes: number;
    record: (
      arm: 'standard' | 'remedy',
      final: ArmEvaluation,
      evalWorld: MadeEnv,
      summary: Record<string, number>,
    ) => void;
  },
  ctx: RunContext,
): Record<string, number> {
  const summary: Record<string, number> = {};
  const arms = ['standard', 'remedy'] as const;
  for (const [k, arm] of arms.entries()) {
    const made = spec.world(ctx.rng.derive(`${arm}/train`));
    const evalWorld = spec.world(ctx.rng.derive(`${arm}/eval`));
    const learner = spec.learnerFor(spec.arms[arm], made, ctx.rng.derive(`${arm}/learner`));
    const names =
      arm === 'standard'
        ? ([SPECIFIED, INTENDED] as const)
        : (['remedy/specified', 'remedy/intended'] as const);
    const policy = trainWithCurve(
      learner,
      spec.episodes,
      {
        checkpoints: spec.checkpoints,
        evalEpisodes: 5,
        evalWorld,
        rng: ctx.rng.derive(`${arm}/curve`),
        names,
      },
      ctx,
    );
    const final = evaluatePolicy(evalWorld, policy, ctx.rng.derive(`${arm}/final`), spec.evalEpisodes);
    summary[`${arm}/specified`] = final.specified;
    summary[`${arm}/intended`] = final.intended;
    spec.record(arm, final, evalWorld, summary);
    ctx.progress(k + 1, arms.length);
  }
  return summary;
}
