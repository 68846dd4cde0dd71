/** Choosing the next token from logits: greedy, temperature and top-k sampling. */
import type { Rng } from '../core/rng.js';

/** Samples an index from `logits` (modified in place: scaled and masked). */
export function sampleToken(logits: Float32Array, temperature: number, topK: number, rng: Rng): number {
  if (temperature <= 0) return argmax(logits);
  const n = logits.length;
  let threshold = -Infinity;
  if (topK > 0 && topK < n) threshold = [...logits].sort((a, b) => b - a)[topK - 1];
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (logits[i] >= threshold && logits[i] > max) max = logits[i];
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++)
    weights[i] = logits[i] >= threshold ? Math.exp((logits[i] - max) / temperature) : 0;
  return rng.categorical(weights);
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
