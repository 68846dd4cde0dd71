/** Tiny language models: tokenizers, corpora with known truth, checkpoints, local and remote backends. */
export * from './checkpoint.js';
export * from './corpora/index.js';
export * from './evaluate.js';
export * from './load.js';
export * from './local-model.js';
export * from './openai-backend.js';
export * from './safetensors.js';
export * from './sampling.js';
export * from './server.js';
export * from './tokenizer.js';
export * from './train.js';
export type * from './types.js';
