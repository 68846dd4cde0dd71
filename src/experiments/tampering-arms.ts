/**
 * What the tampering studies (rocks-diamonds, tomato-watering) share: training any learner in
 * chunks while the evaluator logs the greedy policy's two scores on its own copy of the world.
 */
import { z } from 'zod';
import type { Policy } from '../agents/policy.js';
import type { Rng } from '../core/rng.js';
import type { MadeEnv } from '../envs/grid/definition.js';
import { evaluatePolicy } from './evaluation.js';
import { evaluationConfig, learnerSchema } from './tabular-training.js';
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

/**
 * A tampering study's config keys, spread into its schema: what each arm's learner optimizes
 * (the first choice of each list is the default), the learner, and the evaluator's settings.
 */
export function tamperingConfig<S extends string, R extends string>(
  choices: { standard: readonly [S, ...S[]]; remedy: readonly [R, ...R[]] },
  defaults: { episodes: number; evalEpisodes: number },
) {
  return {
    standard: z.enum(choices.standard).default(choices.standard[0]),
    remedy: z.enum(choices.remedy).default(choices.remedy[0]),
    learner: learnerSchema(defaults.episodes),
    // Learning-curve points per arm (each plays 5 evaluation episodes).
    ...evaluationConfig(defaults.evalEpisodes, 10),
  };
}

/**
 * The controls every tampering study has: the remedy arm paid the observed reward like the
 * standard one (`no-remedy`), and the standard arm paid the hidden reward (`intended-reward`).
 */
export function tamperingControls(why: { noRemedy: string; intendedReward: string }) {
  return [
    { name: 'no-remedy', why: why.noRemedy, override: { remedy: 'specified' as const } },
    { name: 'intended-reward', why: why.intendedReward, override: { standard: 'intended' as const } },
  ];
}

/** What `runTamperingArms` reads of a tampering study's config. */
export interface TamperingArmsConfig<K> {
  standard: K;
  remedy: K;
  learner: { episodes: number };
  checkpoints: number;
  evalEpisodes: number;
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
    config: TamperingArmsConfig<K>;
    learnerFor: (kind: K, made: MadeEnv, rng: Rng) => ChunkedLearner;
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
    const learner = spec.learnerFor(spec.config[arm], made, ctx.rng.derive(`${arm}/learner`));
    const names =
      arm === 'standard'
        ? ([SPECIFIED, INTENDED] as const)
        : (['remedy/specified', 'remedy/intended'] as const);
    const policy = trainWithCurve(
      learner,
      spec.config.learner.episodes,
      {
        checkpoints: spec.config.checkpoints,
        evalEpisodes: 5,
        evalWorld,
        rng: ctx.rng.derive(`${arm}/curve`),
        names,
      },
      ctx,
    );
    const final = evaluatePolicy(evalWorld, policy, ctx.rng.derive(`${arm}/final`), spec.config.evalEpisodes);
    summary[`${arm}/specified`] = final.specified;
    summary[`${arm}/intended`] = final.intended;
    spec.record(arm, final, evalWorld, summary);
    ctx.progress(k + 1, arms.length);
  }
  return summary;
}
