/** The eval harness: tasks (dataset + solver + scorers), models with transport, runs, statistics, logs, viewer. */
export * from './datasets.js';
export * from './log.js';
export * from './models.js';
export * from './run.js';
export * from './run-set.js';
export * from './scorers.js';
export * from './solvers.js';
export * from './stats.js';
export * from './tasks/arithmetic.js';
export * from './tasks/files.js';
export * from './tasks/index.js';
export * from './tasks/shutdown.js';
export * from './transport.js';
export type * from './types.js';
export * from './viewer.js';
