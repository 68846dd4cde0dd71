// The fused native decode step (one addon call per step, src/nn/decode.ts) against the tfjs
// decode step it replaces: the same logits within a float tolerance (different summation order,
// so not bit-equal, and not across CPUs), the same samples for a seed, and deterministic.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { sampleRollouts } from '../../src/lm/rollout.js';
import { CharTokenizer } from '../../src/lm/tokenizer.js';
import { fusedDecodeAvailable, setFusedDecode } from '../../src/nn/decode.js';
import { createTransformer, initBackend, type Transformer } from '../../src/nn/index.js';

const tokenizer = CharTokenizer.train(['0123456789+-= abcdefghijklmnopqrstuvwxyz']);
let model: Transformer;
let available = false;

beforeAll(async () => {
  const info = await initBackend();
  available = fusedDecodeAvailable();
  if (!available) console.warn(`fused decode tests skipped: not on the native path (${info.description})`);
  model = createTransformer(
    { vocabSize: tokenizer.vocabSize, contextLength: 24, layers: 2, heads: 4, width: 32 },
    { seed: 11 },
  );
  // Logit std ~3 instead of GPT-2's ~0.03, so samples depend on the weights, not on the uniform draws alone.
  const head = model.namedWeights().get('lm_head.weight') as tf.Variable;
  head.assign(tf.mul(head, 100));
});

/** Prefill then `steps` decode steps feeding `sequences`, with one row leaving after step 1. */
function decodeAll(fused: boolean, prompts: number[][], sequences: number[][], steps: number) {
  const was = setFusedDecode(fused);
  try {
    const { cache, logits } = model.prefill(prompts);
    const out: Float32Array[][] = [logits.map((l) => Float32Array.from(l))];
    const native = cache.native !== undefined;
    for (let step = 0; step < steps; step++) {
      if (step === 2) cache.retain([0, 2, 3]);
      const fed = cache.rows.map((b, k) => sequences[b][cache.promptLengths[k] + step]);
      out.push(model.decode(cache, fed).map((l) => Float32Array.from(l)));
    }
    cache.dispose();
    return { out, native };
  } finally {
    setFusedDecode(was);
  }
}

describe('fused decode step', () => {
  it('gives the tfjs decode step’s logits within float tolerance (rows of different lengths, a row leaving)', (ctx) => {
    if (!available) ctx.skip();
    const rng = new Rng(4);
    const sequences = Array.from({ length: 4 }, () =>
      Array.from({ length: 20 }, () => 1 + rng.int(tokenizer.vocabSize - 1)),
    );
    const prompts = [3, 1, 7, 5].map((n, b) => sequences[b].slice(0, n));
    const fused = decodeAll(true, prompts, sequences, 8);
    const plain = decodeAll(false, prompts, sequences, 8);
    expect(fused.native).toBe(true);
    expect(plain.native).toBe(false);
    let worst = 0;
    let scale = 0;
    fused.out.forEach((rows, s) => {
      rows.forEach((row, k) => {
        row.forEach((x, v) => {
          worst = Math.max(worst, Math.abs(x - plain.out[s][k][v]));
          scale = Math.max(scale, Math.abs(plain.out[s][k][v]));
        });
      });
    });
    expect(scale).toBeGreaterThan(1); // the comparison is not between near-zero logits
    // float32 rounding of O(1–10) logits through two layers: ~1e-6 relative; 1e-4 leaves room for any CPU.
    expect(worst / scale).toBeLessThan(1e-4);
  });

  it('samples the same rollouts as the tfjs step for a seed, at temperature 1 and greedy', (ctx) => {
    if (!available) ctx.skip();
    const prompts = ['1+1=', '12+34=', 'a', '99-9=', 'hello world', 'xyz', '7', '55+5='];
    const run = (fused: boolean, temperature: number, seed: number) => {
      const was = setFusedDecode(fused);
      try {
        return sampleRollouts(model, tokenizer, prompts, {
          maxNewTokens: 12,
          temperature,
          rng: new Rng(seed),
        });
      } finally {
        setFusedDecode(was);
      }
    };
    // At temperature 1 the two paths can part only where a uniform draw lands within ~1e-6 of a
    // category boundary (the logits differ by rounding): ~1e-4 odds over these ~100 draws.
    for (const temperature of [0, 1]) {
      const fused = run(true, temperature, 7);
      expect(fused.rows).toEqual(run(false, temperature, 7).rows);
      expect(fused.rows).toEqual(run(true, temperature, 7).rows); // deterministic
    }
    // At temperature 1 the samples do depend on the seed (the check above is not vacuous).
    expect(run(true, 1, 8).completions).not.toEqual(run(true, 1, 7).completions);
  });

  it('leaves no tensor behind', (ctx) => {
    if (!available) ctx.skip();
    const once = () => {
      const { cache } = model.prefill([[1, 2, 3]]);
      model.decode(cache, [4]);
      cache.dispose();
    };
    once(); // the causal mask of this length is kept for the process
    const before = tf.memory().numTensors;
    once();
    expect(tf.memory().numTensors).toBe(before);
  });
});
