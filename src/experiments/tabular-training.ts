/**
 * What the gridworld reproductions share: a world made from the run's seed, a tabular
 * learner trained on it with its learning curve logged (both objectives, read by the
 * evaluator on a separate copy of the world), and the intended optimum of a world's
 * scripted safe episode.
 */
import { z } from 'zod';
import type { Policy } from '../agents/policy.js';
import { QLearning } from '../agents/q-learning.js';
import { Sarsa } from '../agents/sarsa.js';
import { tdConfig, type UnseenObservations } from '../agents/tabular.js';
import type { Rng } from '../core/rng.js';
import type { MadeEnv, MakeEnvOptions } from '../envs/grid/definition.js';
import type { AgentEnv, StepResult } from '../envs/grid/env.js';
import { parseActions, runEpisode } from '../envs/grid/rollout.js';
import { demonstrationsOf } from '../envs/suite/demonstrations.js';
import { makeEnv } from '../envs/suite/index.js';
import { type Evaluation, evaluatePolicy } from './evaluation.js';
import { INTENDED, type RunContext, SPECIFIED } from './types.js';

export const ALGORITHMS = ['q-learning', 'sarsa'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** A learner's config with this experiment's default training length (its optimization power). */
export function learnerSchema(episodes: number, algorithm: Algorithm = 'q-learning') {
  return z
    .strictObject({
      ...tdConfig.shape,
      algorithm: z.enum(ALGORITHMS).default(algorithm),
      episodes: z.number().int().min(1).max(1e8).default(episodes),
    })
    .prefault({});
}
export type LearnerConfig = z.output<ReturnType<typeof learnerSchema>>;

/**
 * The evaluator's two config keys, spread into a reproduction's schema: `evalEpisodes` (episodes
 * of the final evaluation) and `checkpoints` (learning-curve points), with that study's defaults.
 */
export function evaluationConfig(evalEpisodes: number, checkpoints: number) {
  return {
    evalEpisodes: z.number().int().min(1).max(100_000).default(evalEpisodes),
    checkpoints: z.number().int().min(1).max(1000).default(checkpoints),
  };
}

/** A world whose episode randomness is seeded from the run's generator. */
export function seededWorld(id: string, options: MakeEnvOptions, rng: Rng): MadeEnv {
  const made = makeEnv(id, { ...options, rng: rng.split() });
  made.env.reset({ seed: rng.int(2 ** 31) });
  return made;
}

export interface TrainOptions {
  /** Learning-curve points (each evaluates the greedy policy). */
  checkpoints: number;
  evalEpisodes: number;
  /** The evaluator's copy of the world for the curve; default: a copy of the training world. */
  evalWorld?: MadeEnv;
  /** After every training episode, with the training world (the evaluator may read `intended`). */
  afterEpisode?: (made: MadeEnv, specifiedReturn: number) => void;
  /** How the returned policy treats observations it never saw in training (default random). */
  unseen?: UnseenObservations;
  /** What the learner trains on instead of `made.env`: a wrapper over it (a reshaped reward, e.g. a side-effect penalty). */
  agentEnv?: AgentEnv;
}

/**
 * Trains a Q-learning or SARSA agent on `made.env` (the agent's handle only) for
 * `config.episodes` episodes, logging both objectives of the greedy policy at checkpoints
 * (x axis: environment steps). Returns the greedy policy.
 */
export function trainTabular(
  made: MadeEnv,
  config: LearnerConfig,
  ctx: RunContext,
  rng: Rng,
  options: TrainOptions,
): Policy {
  const env = options.agentEnv ?? made.env;
  const learner =
    config.algorithm === 'sarsa' ? new Sarsa(env, config, rng) : new QLearning(env, config, rng);
  const evalWorld = options.evalWorld;
  const evalRng = rng.derive('curve');
  const chunk = Math.max(1, Math.ceil(config.episodes / options.checkpoints));
  const hook = options.afterEpisode ? (_: number, r: number) => options.afterEpisode!(made, r) : undefined;
  while (learner.episodes < config.episodes) {
    learner.train(Math.min(chunk, config.episodes - learner.episodes), hook);
    if (evalWorld && options.evalEpisodes > 0) {
      const curve = evaluatePolicy(evalWorld, learner.policy(options.unseen), evalRng, options.evalEpisodes);
      ctx.log(learner.steps, SPECIFIED, curve.specified);
      ctx.log(learner.steps, INTENDED, curve.intended);
    }
    ctx.progress(learner.episodes, config.episodes);
    ctx.signal.throwIfAborted();
  }
  return learner.policy(options.unseen);
}

/** What the usual gridworld reproduction's config holds: the learner and the size of its curve. */
export interface TrainAndEvaluateConfig {
  learner: LearnerConfig;
  checkpoints: number;
  evalEpisodes: number;
}

export interface TrainedAndEvaluated {
  /** The training world (the evaluator may read its `intended` handle). */
  made: MadeEnv;
  /** The evaluator's copy, on which the curve and `final` were measured. */
  evalWorld: MadeEnv;
  policy: Policy;
  /** The greedy policy over `evalEpisodes` episodes of the evaluator's copy. */
  final: Evaluation;
}

/**
 * The usual gridworld reproduction: a training world and the evaluator's copy seeded from the
 * run, the learner trained on the first with its curve logged on the second, and the greedy
 * policy's final evaluation. Streams: ctx.rng's 'train', 'eval', 'learner' and 'final'.
 */
export function trainAndEvaluate(
  id: string,
  cfg: TrainAndEvaluateConfig,
  ctx: RunContext,
  options: {
    world?: MakeEnvOptions;
    afterEpisode?: TrainOptions['afterEpisode'];
    /** Builds what the learner trains on from the training world (default: its agent handle). */
    agentEnv?: (made: MadeEnv) => AgentEnv;
  } = {},
): TrainedAndEvaluated {
  const world = options.world ?? {};
  const made = seededWorld(id, world, ctx.rng.derive('train'));
  const evalWorld = seededWorld(id, world, ctx.rng.derive('eval'));
  const policy = trainTabular(made, cfg.learner, ctx, ctx.rng.derive('learner'), {
    checkpoints: cfg.checkpoints,
    evalEpisodes: cfg.evalEpisodes,
    evalWorld,
    afterEpisode: options.afterEpisode,
    agentEnv: options.agentEnv?.(made),
  });
  const final = evaluatePolicy(evalWorld, policy, ctx.rng.derive('final'), cfg.evalEpisodes);
  return { made, evalWorld, policy, final };
}

/**
 * The config keys of an off- vs on-policy study, spread into its schema: an arm named for each
 * algorithm, trained with it by default (a control may swap an arm's algorithm).
 */
export function offVsOnPolicyConfig(episodes: number) {
  return { qLearning: learnerSchema(episodes, 'q-learning'), sarsa: learnerSchema(episodes, 'sarsa') };
}

/** A control of an off- vs on-policy study: both arms trained with `algorithm`. */
export function sameAlgorithmControl(algorithm: Algorithm, why: string) {
  const other = algorithm === 'sarsa' ? 'qLearning' : 'sarsa';
  return { name: `both-${algorithm}`, why, override: { [other]: { algorithm } } };
}

/**
 * An off- vs on-policy study's arms in turn ('q-learning', then 'sarsa'; stream: the arm's
 * name): each learner trains on its own seeded copy of the world, without a learning curve, and
 * its greedy policy is evaluated on a second copy. Returns each arm's final evaluation.
 */
export function trainOffAndOnPolicy(
  id: string,
  world: MakeEnvOptions,
  cfg: { qLearning: LearnerConfig; sarsa: LearnerConfig; checkpoints: number; evalEpisodes: number },
  ctx: RunContext,
): Record<Algorithm, Evaluation> {
  const arms = { 'q-learning': cfg.qLearning, sarsa: cfg.sarsa };
  const finals = {} as Record<Algorithm, Evaluation>;
  for (const arm of ALGORITHMS) {
    const rng = ctx.rng.derive(arm);
    const made = seededWorld(id, world, rng);
    const evalWorld = seededWorld(id, world, rng);
    const policy = trainTabular(made, arms[arm], ctx, rng, { checkpoints: cfg.checkpoints, evalEpisodes: 0 });
    finals[arm] = evaluatePolicy(evalWorld, policy, rng, cfg.evalEpisodes);
  }
  return finals;
}

/** The intended score of a world's scripted safe episode (the tour's): the known good behaviour. */
export function safeDemonstrationPerformance(id: string): number {
  const demo = demonstrationsOf(id).safe;
  const made = makeEnv(id, { level: demo.level, variant: demo.variant, params: demo.params });
  const record = runEpisode(made, parseActions(demo.actions), demo.seed ?? 0);
  return record.performance ?? made.intended.performance();
}

/**
 * A control arm's training env: the world's agent handle with its reward replaced by the change
 * in the hidden (intended) return. Only for controls that give the optimizer the intended
 * objective on purpose ("the intended reward as reward"); never for a main arm.
 */
export function intendedRewardEnv(made: MadeEnv): AgentEnv {
  const { env, intended } = made;
  let before = 0;
  const result: StepResult = {
    observation: env.reset().observation,
    reward: 0,
    terminated: false,
    truncated: false,
    info: { steps: 0, actualAction: -1 },
  };
  return {
    numActions: env.numActions,
    reset(options) {
      const out = env.reset(options);
      before = intended.hiddenReward();
      return out;
    },
    step(action) {
      const step = env.step(action);
      const hidden = intended.hiddenReward();
      Object.assign(result, step);
      result.reward = hidden - before;
      before = hidden;
      return result;
    },
  };
}
