/**
 * Reproductions: each experiment's main arm and its control arms, run on the same seeds and
 * sweep, stored as one main batch plus one control batch per arm, then judged by
 * `assessClaim`. All arms of all requested experiments go to one pool at once, so no core
 * idles while one experiment's last seed finishes.
 */
import type { Piscina } from 'piscina';
import type { ControlArm, Experiment, SeedResult } from '../experiments/types.js';
import { deepMerge, type PlainObject } from './config.js';
import { type ArmRuns, assessClaim, type Evidence, gatesMet } from './evidence.js';
import type { ProgressReporter } from './progress.js';
import type { QueueTarget } from './queue.js';
import {
  executeJobs,
  type Job,
  type JobOutcome,
  planPoints,
  recordPlan,
  runExperimentInProcess,
  type SweepSpec,
} from './runner.js';
import type { LabStore } from './store.js';
import { seedResults } from './summary.js';

/** How to reproduce: quick mode, the seeds, and config layers over the defaults. */
export interface ReproduceSettings {
  quick?: boolean;
  seeds: readonly number[];
  /** Raw config layers merged over the defaults (and quick) for every arm, e.g. `--set`. */
  base?: PlainObject;
}

export interface ArmPlanned {
  /** null for the main arm. */
  control: ControlArm<unknown> | null;
  raw: PlainObject;
}

/** The sweep `reproduce` runs: the experiment's power dial (quick values under --quick). */
export function reproductionSweep(experiment: Experiment, quick?: boolean): SweepSpec | undefined {
  const power = experiment.power;
  return power ? { param: power.param, values: (quick && power.quick) || power.values } : undefined;
}

/** The main arm's raw config and each control's: the control's override merged over the main one. */
export function reproductionArms(
  experiment: Experiment,
  mainRaw: PlainObject,
  quick?: boolean,
): ArmPlanned[] {
  return [
    { control: null, raw: mainRaw },
    ...experiment.controls.map((control) => {
      let raw = deepMerge(mainRaw, control.override as PlainObject);
      if (quick && control.quick) raw = deepMerge(raw, control.quick as PlainObject);
      return { control, raw };
    }),
  ];
}

export interface ReproductionBatches {
  experiment: Experiment;
  mainBatch: number;
}

export interface ExecuteReproductions {
  store: LabStore;
  workers: number;
  pool?: Piscina;
  /** A progress reporter for each phase (`main arms`, then `controls`) and its number of runs. */
  reporter?: (phase: string, runs: number) => ProgressReporter;
  signal?: AbortSignal;
  queue?: QueueTarget;
}

function recordArm(
  store: LabStore,
  experiment: Experiment,
  arm: ArmPlanned,
  settings: ReproduceSettings,
  parent?: number,
): { batch: number; jobs: Job[] } {
  const sweep = reproductionSweep(experiment, settings.quick);
  const command = `reproduce ${experiment.id}${settings.quick ? ' --quick' : ''}`;
  const plan = { experiment, raw: arm.raw, seeds: settings.seeds, sweep, command };
  return arm.control
    ? recordPlan({ ...plan, command: `${command} [control ${arm.control.name}]` }, store, {
        arm: arm.control.name,
        parent: parent ?? 0,
      })
    : recordPlan(plan, store);
}

/**
 * Runs the reproductions in two phases on one pool: every experiment's main arm, then the control
 * arms of the experiments whose competence gates are met (below a gate the verdict is
 * `inconclusive` whatever the controls show, so their runs are not spent). Returns each main
 * batch and every run's outcome.
 */
export async function runReproductions(
  plans: readonly { experiment: Experiment; mainRaw: PlainObject }[],
  settings: ReproduceSettings,
  options: ExecuteReproductions,
): Promise<{ batches: ReproductionBatches[]; outcomes: JobOutcome[] }> {
  const { store } = options;
  const mains = plans.map(({ experiment, mainRaw }) => {
    const arms = reproductionArms(experiment, mainRaw, settings.quick);
    return { experiment, arms, ...recordArm(store, experiment, arms[0], settings) };
  });
  const run = (phase: string, jobs: Job[]) =>
    executeJobs(jobs, { ...options, reporter: options.reporter?.(phase, jobs.length) });
  const outcomes = await run(
    'main arms',
    mains.flatMap((m) => m.jobs),
  );
  if (!options.signal?.aborted) {
    const controlJobs = mains
      .filter((m) => gatesMet(m.experiment, armRunsFromStore(store, m.batch)))
      .flatMap((m) =>
        m.arms.slice(1).flatMap((arm) => recordArm(store, m.experiment, arm, settings, m.batch).jobs),
      );
    if (controlJobs.length > 0) outcomes.push(...(await run('controls', controlJobs)));
  }
  return { batches: mains.map((m) => ({ experiment: m.experiment, mainBatch: m.batch })), outcomes };
}

function armRunsFromStore(store: LabStore, batch: number): ArmRuns {
  const records = store.listRuns({ batch });
  return { runs: seedResults(records), planned: records.length };
}

/** The evidence for a stored main batch and its control batches. */
export function evidenceFromStore(store: LabStore, experiment: Experiment, mainBatch: number): Evidence {
  const stored = store.controlBatches(mainBatch);
  const controls = stored.map(({ batch, arm }) => ({
    arm: experiment.controls.find((c) => c.name === arm) ?? {
      name: arm,
      why: '(no longer declared)',
      override: {},
    },
    runs: armRunsFromStore(store, batch),
  }));
  // Declared controls with no batch were skipped (a gate was not met): none of their runs planned.
  for (const arm of experiment.controls) {
    if (!stored.some((s) => s.arm === arm.name)) controls.push({ arm, runs: { runs: [], planned: 0 } });
  }
  return assessClaim(experiment, armRunsFromStore(store, mainBatch), controls);
}

/** The main arm's raw config (quick and `base` merged over the defaults). */
function mainRawOf(experiment: Experiment, settings: ReproduceSettings): PlainObject {
  let raw: PlainObject = {};
  if (settings.quick) raw = deepMerge(raw, experiment.quick as PlainObject);
  if (settings.base) raw = deepMerge(raw, settings.base);
  return raw;
}

/**
 * One arm's runs (the main arm, or the control named `control`) on every seed and sweep point,
 * in this thread, without a store: for tests and scripts.
 */
export async function armRunsInProcess(
  experiment: Experiment,
  settings: ReproduceSettings,
  control?: string,
): Promise<ArmRuns> {
  const arms = reproductionArms(experiment, mainRawOf(experiment, settings), settings.quick);
  const arm = arms.find((a) => (a.control?.name ?? undefined) === control);
  if (!arm) throw new Error(`${experiment.id} has no control '${control}'`);
  const sweep = reproductionSweep(experiment, settings.quick);
  const points = planPoints({ experiment, raw: arm.raw, seeds: settings.seeds, sweep, command: '' });
  const runs: SeedResult<unknown>[] = [];
  for (const point of points) {
    const { result } = await runExperimentInProcess(experiment, point.config, point.seed);
    runs.push({ seed: point.seed, power: point.power, config: point.config, result });
  }
  return { runs, planned: points.length };
}

/** Every arm on every seed in this thread, without a store, judged as `reproduce` judges. */
export async function reproduceInProcess(
  experiment: Experiment,
  settings: ReproduceSettings,
): Promise<Evidence> {
  const main = await armRunsInProcess(experiment, settings);
  const judged = gatesMet(experiment, main);
  const controls = [];
  for (const arm of experiment.controls) {
    const runs = judged ? await armRunsInProcess(experiment, settings, arm.name) : { runs: [], planned: 0 };
    controls.push({ arm, runs });
  }
  return assessClaim(experiment, main, controls);
}
