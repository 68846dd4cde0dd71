/** Opens a checkpoint directory as a ready LanguageModel, with the corpus it was trained on. */
import { basename, resolve } from 'node:path';
import { initBackend } from '../nn/index.js';
import { type CheckpointConfig, loadCheckpoint } from './checkpoint.js';
import { type Corpus, getCorpus } from './corpora/index.js';
import { LocalLanguageModel } from './local-model.js';

/** A local model loaded from a checkpoint folder, with its corpus when known. */
export interface LoadedModel {
  lm: LocalLanguageModel;
  config: CheckpointConfig;
  /** The training corpus, when the checkpoint names one (prompt format, stop strings, test split). */
  corpus?: Corpus;
}

/** Loads a checkpoint folder as a `LanguageModel`. */
export async function loadLocalModel(dir: string, id = basename(resolve(dir))): Promise<LoadedModel> {
  await initBackend();
  const { model, tokenizer, config } = loadCheckpoint(dir);
  const corpus = config.corpus
    ? getCorpus(config.corpus.name, config.corpus.seed, `${dir}/config.json corpus`)
    : undefined;
  return { lm: new LocalLanguageModel(id, model, tokenizer, { batchSize: 256 }), config, corpus };
}
