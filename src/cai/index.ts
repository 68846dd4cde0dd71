/** Constitutional AI: constitutions as data, SL-CAI (critique → revision) and RLAIF labels. */
export * from './constitution.js';
export * from './label.js';
export * from './prompts.js';
export * from './resumable.js';
export * from './sl.js';
