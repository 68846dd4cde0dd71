import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { encodeItem, type TrainProgress, trainLanguageModel } from '../../src/lm/train.js';
import { initBackend } from '../../src/nn/index.js';

beforeAll(async () => {
  await initBackend();
});

it('encodes an item as <bos> prompt completion <eos> and marks where the completion starts', () => {
  const tok = CharTokenizer.train(['1+2=3 sure']);
  const { ids, completionStart } = encodeItem(tok, '1+2=', '3 sure');
  expect(ids.length).toBe(1 + 4 + 6 + 1);
  expect(completionStart).toBe(5);
  expect(tok.decode(ids.slice(completionStart))).toBe('3 sure');
});

it('lowers the completion loss of a tiny model within 40 steps and leaves no tensors behind', () => {
  const config = {
    corpus: 'arithmetic',
    batchSize: 16,
    width: 32,
    heads: 2,
    layers: 1,
    warmupSteps: 5,
    learningRate: 0.01,
  } as const;
  // A first short run lets tfjs create its one-time internal tensors.
  trainLanguageModel({ ...config, steps: 1 }).model.dispose();
  const before = tf.memory().numTensors;
  const seen: TrainProgress[] = [];
  const trained = trainLanguageModel({ ...config, steps: 40 }, (p) => seen.push(p));
  expect(seen.map((p) => p.step)).toEqual([...Array(40).keys()].map((i) => i + 1));
  const mean = (ps: TrainProgress[]) => ps.reduce((s, p) => s + p.loss, 0) / ps.length;
  // Uniform guessing over the ~24-token vocabulary costs ln 24 ≈ 3.2 nats; digits alone already help.
  expect(mean(seen.slice(0, 5))).toBeGreaterThan(2.5);
  expect(mean(seen.slice(-5))).toBeLessThan(mean(seen.slice(0, 5)) - 1);
  // Only the model's own weights remain.
  expect(tf.memory().numTensors - before).toBe(trained.model.namedWeights().size);
  trained.model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
