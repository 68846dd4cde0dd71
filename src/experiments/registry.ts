import { choicesHint, UserInputError } from '../core/errors.js';
import { experiments } from './index.js';
import type { Experiment } from './types.js';

/** Experiments by id. The CLI and the worker pool use `defaultRegistry`; tests build their own. */
export class ExperimentRegistry {
  private readonly byId = new Map<string, Experiment>();

  constructor(list: readonly Experiment<unknown>[] = []) {
    for (const experiment of list) this.add(experiment);
  }

  add<C>(experiment: Experiment<C>): this {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(experiment.id)) {
      throw new Error(`experiment id '${experiment.id}' is not kebab-case`);
    }
    if (this.byId.has(experiment.id)) throw new Error(`experiment '${experiment.id}' registered twice`);
    this.byId.set(experiment.id, experiment as Experiment);
    return this;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** The experiment, or a UserInputError listing the valid ids. */
  get(id: string): Experiment {
    const experiment = this.byId.get(id);
    if (!experiment) throw new UserInputError(`unknown experiment '${id}' (${choicesHint(this.ids(), id)})`);
    return experiment;
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  list(): Experiment[] {
    return [...this.byId.values()];
  }
}

/** The registry of every named experiment. */
export const defaultRegistry = new ExperimentRegistry(experiments);
