/**
 * Fixtures for the fault-and-abuse suite. The never-stopping model emits the same token forever:
 * ln_f's gain is 0 and its bias 1, so every hidden state is the all-ones vector, and lm_head maps
 * that to a logit of `width` for 'a' and 0 for every other token (<eos> included). Greedy or
 * sampled at any temperature up to 2, <eos> has probability <= e^(-16/2) per step; greedy never
 * picks it, on any CPU.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { saveCheckpoint } from '../../src/lm/checkpoint.js';
import { LocalLanguageModel } from '../../src/lm/local-model.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { createTransformer, initBackend, type Transformer } from '../../src/nn/index.js';

export const VOCAB_TEXT = '0123456789+-= :\nUserAssitn abcdefghijklmnopqrstuvwxyz';

export async function neverStoppingModel(id = 'forever'): Promise<LocalLanguageModel> {
  await initBackend();
  const tokenizer = CharTokenizer.train([VOCAB_TEXT]);
  const width = 16;
  const model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 32, layers: 1, heads: 2, width },
    { seed: 3 },
  );
  const weights = model.namedWeights();
  const a = tokenizer.encode('a')[0];
  tf.tidy(() => {
    weights.get('transformer.ln_f.weight')?.assign(tf.zeros([width]));
    weights.get('transformer.ln_f.bias')?.assign(tf.ones([width]));
    const head = new Float32Array(width * tokenizer.vocabSize);
    for (let c = 0; c < width; c++) head[c * tokenizer.vocabSize + a] = 1;
    weights.get('lm_head.weight')?.assign(tf.tensor2d(head, [width, tokenizer.vocabSize]));
  });
  return new LocalLanguageModel(id, model, tokenizer);
}

/** A small random model (it stops now and then), as the server tests use. */
export async function tinyModel(id = 'tiny'): Promise<LocalLanguageModel> {
  await initBackend();
  const tokenizer = CharTokenizer.train([VOCAB_TEXT]);
  const model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 40, layers: 1, heads: 2, width: 16 },
    { seed: 2 },
  );
  return new LocalLanguageModel(id, model, tokenizer);
}

/** Saves a model as a checkpoint directory (no corpus) and returns the directory. */
export function saveFixture(
  lm: { model: Transformer; tokenizer: CharTokenizer | LocalLanguageModel['tokenizer'] },
  name: string,
): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'alignlab-safety-')), name);
  saveCheckpoint(dir, {
    model: lm.model,
    tokenizer: lm.tokenizer,
    config: { format: 'alignlab-lm', version: 1, model: lm.model.config },
  });
  return dir;
}
