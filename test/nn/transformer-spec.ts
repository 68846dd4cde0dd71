import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendPath } from '../../src/nn/index.js';
import { AdamW, createTransformer, crossEntropy, initBackend, trainStep } from '../../src/nn/index.js';

const tiny = { vocabSize: 11, contextLength: 8, layers: 2, heads: 2, width: 16, scalarHeads: ['value'] };

/** The transformer's behaviour, run once per backend path (see the *.test.ts files beside this). */
export function describeTransformer(expectPath: (path: BackendPath) => void): void {
  beforeAll(async () => {
    expectPath((await initBackend()).path);
  });

  describe('transformer', () => {
    it('maps tokens [B, T] to logits [B, T, V] and a scalar head to [B, T]', () => {
      const model = createTransformer(tiny, { seed: 1 });
      const tokens = [
        [1, 2, 3, 4, 5],
        [5, 4, 3, 2, 1],
      ];
      const logits = model.forward(tokens);
      expect(logits.shape).toEqual([2, 5, 11]);
      const hidden = model.hidden(tokens);
      expect(model.scalar(hidden).shape).toEqual([2, 5]);
      tf.dispose([logits, hidden]);
      model.dispose();
    });

    it('names weights as nanoGPT does and counts them', () => {
      const model = createTransformer(tiny);
      const names = [...model.namedWeights().keys()];
      expect(names).toContain('transformer.wte.weight');
      expect(names).toContain('transformer.h.1.attn.c_attn.weight');
      expect(names).toContain('transformer.h.0.mlp.c_proj.bias');
      expect(names).toContain('lm_head.weight');
      expect(names).toContain('value_head.weight');
      // Hand count: wte 11·16 + wpe 8·16 + 2 blocks × (2 LN·32 + attn 16·48+48 + 16·16+16 + mlp 16·64+64 + 64·16+16)
      // + ln_f 32 + lm_head 16·11 + value head 16+1.
      const perBlock = 64 + (768 + 48) + (256 + 16) + (1024 + 64) + (1024 + 16);
      expect(model.parameterCount()).toBe(176 + 128 + 2 * perBlock + 32 + 176 + 17);
      model.dispose();
    });

    it('is causal: changing a later token leaves earlier logits unchanged', async () => {
      const model = createTransformer(tiny, { seed: 2 });
      const a = model.forward([[1, 2, 3, 4]]);
      const b = model.forward([[1, 2, 3, 9]]);
      const early = (t: tf.Tensor3D) => tf.slice(t, [0, 0, 0], [1, 3, 11]).arraySync();
      expect(early(b)).toEqual(early(a));
      expect(await a.slice([0, 3, 0], [1, 1, 11]).data()).not.toEqual(
        await b.slice([0, 3, 0], [1, 1, 11]).data(),
      );
      tf.dispose([a, b]);
      model.dispose();
    });

    it('learns a fixed sequence and keeps the live tensor count constant across steps', () => {
      const model = createTransformer(tiny, { seed: 3 });
      const optimizer = new AdamW(model.namedWeights(), { learningRate: 1e-2 });
      const inputs = tf.tensor2d([[1, 2, 3, 4, 5, 6, 7]], [1, 7], 'int32');
      const targets = tf.tensor2d([[2, 3, 4, 5, 6, 7, 8]], [1, 7], 'int32');
      const loss = (m: typeof model) => crossEntropy(m.forward(inputs), targets);
      const first = trainStep(model, optimizer, loss, { maxGradNorm: 1 });
      const live = tf.memory().numTensors;
      let last = first;
      for (let i = 0; i < 30; i++) {
        last = trainStep(model, optimizer, loss, { maxGradNorm: 1 });
        expect(tf.memory().numTensors).toBe(live);
      }
      expect(first.loss).toBeGreaterThan(2); // ≈ ln 11 = 2.40 at initialization
      expect(last.loss).toBeLessThan(0.5);
      tf.dispose([inputs, targets]);
      optimizer.dispose();
      model.dispose();
    });
  });
}
