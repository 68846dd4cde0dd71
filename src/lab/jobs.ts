/** A run to execute (its id in the store, its experiment, validated config and seed) and how it ended. */
import type { Experiment, RunResult, SweepValue } from '../experiments/types.js';

export interface Job {
  id: number;
  experiment: Experiment;
  config: unknown;
  seed: number;
  power?: SweepValue;
}

export type JobStatus = 'done' | 'failed' | 'interrupted';

export interface JobOutcome extends Job {
  status: JobStatus;
  result?: RunResult;
  error?: string;
}
