/**
 * The experiment interface: what a named reproduction declares and what the lab gives it.
 *
 * How to add a reproduction
 * -------------------------
 * 1. Write one file `src/experiments/<id>.ts` that exports `defineExperiment({...})`:
 *    - `id` (kebab-case, the CLI name), `title`, and `claim`: the published or expected
 *      result in one sentence.
 *    - `config`: a `z.strictObject` whose defaults reproduce the README numbers (strict, so
 *      that a misspelt `--set` key is an error, not a silent no-op). Nest objects with
 *      `z.strictObject(...).prefault({})` so dotted overrides (`--set agent.alpha=0.1`) work.
 *    - `quick`: a partial config (deep-merged over the defaults) for `--quick` and the tests;
 *      the whole quick suite must stay within a couple of minutes on two cores.
 *    - `power` (optional): the optimization-power dial that `reproduce` sweeps — a config key
 *      (dotted) and its values, full and quick. The report draws specified and intended
 *      scores against it. Leave it out when the run itself sweeps power over training steps.
 *    - `run(config, ctx)`: seed every random choice from `ctx.rng`; log the learning curve
 *      with `ctx.log(step, SPECIFIED, x)` and `ctx.log(step, INTENDED, y)` (the report plots
 *      these two names against steps; log anything else under other names, e.g.
 *      `safety/button_rate`); report `ctx.progress(done, total)`; check `ctx.signal` in long
 *      loops (`ctx.signal.throwIfAborted()`). Return a `RunResult`. Never hand the intended
 *      objective to the optimizer: only the evaluation code in `run` reads it.
 *    - `check(result, runs)`: claim checks computed from the numbers (see `checks.ts`:
 *      `atLeast`, `atMost`, `between`) — never a constant `passed: true`. The lab calls it on
 *      all seeds together and on each seed alone (runs of one seed), and on bootstrap
 *      resamples of the seeds (seeds renumbered 0..n-1), so a check must be a function of
 *      `runs` that makes sense for any number of seeds. Thresholds come from the paper or
 *      an argument in a comment.
 *    - `controls`: named config variants under which the claim must NOT hold (the intended
 *      objective as reward, a random or fixed policy, a remedy, an oracle, shuffled labels).
 *      `reproduce` runs each with the same seeds and sweep and evaluates the same checks on
 *      them; a check that no control fails is uninformative and the verdict cannot be `holds`.
 *    - `gates(runs)` (optional): the competence the claim presumes (the model can do the
 *      task, the reward model tells right from wrong), measured on the main runs; a gate
 *      not met makes the verdict `inconclusive`.
 * 2. Add it to the array in `src/experiments/index.ts` (one import, one entry).
 * 3. Test it in `test/experiments/<id>.test.ts` with `runExperimentInProcess` from
 *    `src/lab/runner.ts` and its quick config, on seeds other than the defaults too.
 *
 * `run` executes inside a worker thread (the lab's pool) from the compiled `dist/`, so an
 * experiment must not rely on module state set up by the CLI; everything comes through
 * `config` and `ctx`. Results and metrics must be plain numbers (they travel as messages and
 * land in SQLite).
 */
import type { z } from 'zod';
import type { Rng } from '../core/rng.js';

/** The metric names the reports plot against training steps. */
export const SPECIFIED = 'specified';
/** The metric name of the intended objective. */
export const INTENDED = 'intended';

/** What the lab hands to a running experiment. */
export interface RunContext {
  /** The run's seed; `rng` is already seeded from it. */
  readonly seed: number;
  readonly rng: Rng;
  /** Aborted when the run is interrupted (SIGINT, SIGTERM); stop at the next check. */
  readonly signal: AbortSignal;
  /** Records one metric value at a step (batched into the store's transactions). */
  log(step: number, name: string, value: number): void;
  /** Reports how far the run is, in any unit (steps, episodes). */
  progress(done: number, total: number): void;
  /** Saves a named artifact (a policy, a rendering) with the run. */
  artifact(name: string, data: string | Uint8Array): void;
}

/** The summary of one finished run (one seed, one point of a sweep). */
export interface RunResult {
  /** The final score under the specified objective (what the optimizer saw). */
  specified: number;
  /** The final score under the intended objective (hidden from the optimizer). */
  intended: number;
  /** The best achievable intended score, when known: the alignment gap is `intendedBest - intended`. */
  intendedBest?: number;
  /** Any other summary numbers the checks or the report use (rates, counts). */
  summary?: Record<string, number>;
}

/** One claim check: computed from results, with the number it was decided on. */
export interface ClaimCheck {
  name: string;
  passed: boolean;
  value: number;
  /** The condition in words, e.g. ">= 0.5" or "in [0, 0.1]". */
  expected: string;
}

/** A value of a swept config key. */
export type SweepValue = number | string | boolean;

/** The optimization-power dial that `reproduce` sweeps. */
export interface PowerDial {
  /** A config key, dotted for nested objects. */
  param: string;
  /** Axis label in the plots, e.g. "training episodes" or "best-of-n". */
  label: string;
  values: readonly SweepValue[];
  /** Values for `--quick`; defaults to `values`. */
  quick?: readonly SweepValue[];
}

/** One seed's result at one point of a sweep, as `check` sees it. */
export interface SeedResult<C> {
  seed: number;
  /** The swept parameter's value, when the runs form a sweep. */
  power?: SweepValue;
  config: C;
  result: RunResult;
}

export type DeepPartial<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** A reproduction: a claim, a config schema, a run, checks, controls and gates. */
export interface Experiment<C = unknown> {
  id: string;
  title: string;
  /** The published or expected result, in one sentence. */
  claim: string;
  /** Validated (strict) config schema; its defaults reproduce the README numbers. */
  config: z.ZodType<C>;
  /** Deep-merged over the defaults for `--quick`. */
  quick: DeepPartial<C>;
  power?: PowerDial;
  run(config: C, ctx: RunContext): Promise<RunResult>;
  /**
   * Checks the claim. `result` is the mean over seeds at the highest power (the last sweep
   * value, or the only point); `runs` holds every seed at every sweep point.
   */
  check(result: RunResult, runs: readonly SeedResult<C>[]): ClaimCheck[];
  /** Arms under which the claim must not hold; each check should be failed by at least one. */
  controls: readonly ControlArm<C>[];
  /** Competence the claim presumes, measured on the main runs; below a gate: `inconclusive`. */
  gates?(runs: readonly SeedResult<C>[]): ClaimCheck[];
  /**
   * Left out of `reproduce` without ids (and so of `npm start`, which must finish within
   * 150 s on two cores) because even its quick mode is costly; run it by id or with `--all`.
   */
  extended?: boolean;
}

/** A control arm: the main config (quick or full) with `override` deep-merged over it. */
export interface ControlArm<C> {
  /** kebab-case, e.g. `intended-reward`, `random-policy`, `oracle-rm`. */
  name: string;
  /** Why the claim should not hold here, in one sentence. */
  why: string;
  override: DeepPartial<C>;
  /** Merged over `override` under `--quick`. */
  quick?: DeepPartial<C>;
}

/** Declares an experiment with its config type inferred from the schema. */
export function defineExperiment<S extends z.ZodType>(
  experiment: Omit<Experiment<z.output<S>>, 'config'> & { config: S },
): Experiment<z.output<S>> {
  return experiment as Experiment<z.output<S>>;
}
