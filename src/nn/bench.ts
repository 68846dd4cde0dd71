/**
 * Training-step benchmarks of the transformer and of the conv judge: the measurement (run in a
 * fresh process per backend path, see bench-worker.ts) and the FLOP counts used to report GFLOP/s.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { type BackendPath, initBackend } from './backend.js';
import { type ConvNetConfig, conv2dOutputSize, createConvNet, judgeLayers } from './conv.js';
import { AdamW } from './optim.js';
import { crossEntropy, trainStep } from './train.js';
import { createTransformer, type ResolvedTransformerConfig, TransformerConfigSchema } from './transformer.js';

export interface BenchCase {
  /** Label, e.g. "tiny" or "wide". */
  name: string;
  model: ResolvedTransformerConfig;
  batch: number;
}

export interface BenchRow {
  config: string;
  path: BackendPath | 'pytorch';
  stepMs: number;
  /** 1000 / stepMs. */
  stepsPerSecond: number;
  /** Transformer rows: tokens trained on per second. */
  tokensPerSecond?: number;
  /** Conv rows: images trained on per second. */
  imagesPerSecond?: number;
  gflops: number;
  steps: number;
  /** Native path: the sgemm asked for (ALIGNLAB_GEMM). */
  gemm?: string;
}

/** The default tiny transformer and one twice as wide. */
export function benchCases(): BenchCase[] {
  const tiny = TransformerConfigSchema.parse({
    vocabSize: 64,
    contextLength: 64,
    layers: 2,
    heads: 4,
    width: 128,
  });
  return [
    { name: 'tiny', model: tiny, batch: 32 },
    { name: 'wide', model: { ...tiny, width: 256 }, batch: 32 },
  ];
}

export function describeCase(c: BenchCase): string {
  const m = c.model;
  return `${c.name} L${m.layers} H${m.heads} C${m.width} T${m.contextLength} B${c.batch} V${m.vocabSize}`;
}

/**
 * FLOPs of one training step: 3× the forward pass (backward ≈ 2× forward), forward = 2 per
 * multiply-add of every matmul — qkv, projections, MLP, LM head, and the two attention
 * products over the full T×T scores. Embedding lookups are not counted (PyTorch gathers).
 */
export function trainStepFlops(c: BenchCase): number {
  const { layers: L, width: C, contextLength: T, vocabSize: V } = c.model;
  const tokens = c.batch * T;
  const perToken = L * (3 * C * C + C * C + 8 * C * C) + C * V + L * 2 * T * C;
  return 3 * 2 * perToken * tokens;
}

/** Best-of-`steps` step time after `warmup` untimed steps; the machine is shared, so the minimum is the least disturbed. */
export async function measureTrainStep(
  c: BenchCase,
  path: BackendPath,
  steps: number,
  warmup = 1,
  clock: 'cpu' | 'wall' = 'wall',
): Promise<BenchRow> {
  // cpu: this process's CPU time (all threads), steady however many jobs share the cores.
  const now = () => {
    if (clock === 'wall') return performance.now();
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const info = await initBackend(path);
  if (info.path !== path) throw new Error(`path ${path} is not available here (${info.description})`);
  const model = createTransformer(c.model, { seed: 0 });
  const optimizer = new AdamW(model.namedWeights(), { learningRate: 1e-3 });
  const rng = new Rng(1);
  const T = c.model.contextLength;
  const randomTokens = () =>
    tf.tensor2d(
      Int32Array.from({ length: c.batch * T }, () => rng.int(c.model.vocabSize)),
      [c.batch, T],
      'int32',
    );
  const x = randomTokens();
  const y = randomTokens();
  const step = () => trainStep(model, optimizer, (m) => crossEntropy(m.forward(x), y), { maxGradNorm: 1 });
  for (let i = 0; i < warmup; i++) step();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps; i++) {
    const start = now();
    step();
    best = Math.min(best, now() - start);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  model.dispose();
  return {
    config: describeCase(c),
    path,
    stepMs: round(best),
    stepsPerSecond: round(1000 / best),
    tokensPerSecond: Math.round((c.batch * T * 1000) / best),
    gflops: round(trainStepFlops(c) / best / 1e6),
    steps,
  };
}

export const round = (x: number) => Math.round(x * 100) / 100;

/** The conv row: the sparse MNIST judge (Irving et al. 2018) as the mnist-debate experiment trains it. */
export interface ConvBenchCase {
  name: 'conv';
  net: ConvNetConfig;
  batch: number;
  learningRate: number;
}

export function convBenchCase(): ConvBenchCase {
  return { name: 'conv', net: judgeLayers(), batch: 64, learningRate: 1e-4 };
}

export function describeConvCase(c: ConvBenchCase): string {
  const [h, w, ch] = c.net.input;
  const body = c.net.layers
    .map((l) =>
      l.kind === 'conv'
        ? `conv${l.filters}`
        : l.kind === 'dense'
          ? `fc${l.units}`
          : l.kind === 'dropout'
            ? 'drop'
            : l.kind === 'maxPool'
              ? 'pool'
              : '',
    )
    .filter(Boolean)
    .join('-');
  return `judge ${ch}×${h}×${w} ${body} B${c.batch}`;
}

/**
 * Matmul FLOPs of one conv training step: forward = 2 per multiply-add of every convolution
 * (B·H'·W' rows × kh·kw·C × O, the im2col product) and dense layer; backward = the weight
 * gradients (the same FLOPs again) and the input gradients of every layer but the first (its
 * input, the images, needs none). Pooling, bias, ReLU and dropout are not counted.
 */
export function convTrainStepFlops(c: ConvBenchCase): number {
  let shape: number[] = [...c.net.input];
  const perLayer: number[] = [];
  for (const l of c.net.layers) {
    if (l.kind === 'conv') {
      const [h, w, ch] = shape;
      const [oh, ow] = conv2dOutputSize(h, w, l.kernel, l.kernel, l.padding ?? 'same');
      perLayer.push(2 * c.batch * oh * ow * l.kernel * l.kernel * ch * l.filters);
      shape = [oh, ow, l.filters];
    } else if (l.kind === 'maxPool') {
      const size = l.size ?? 2;
      const stride = l.stride ?? size;
      shape = [
        Math.floor((shape[0] - size) / stride) + 1,
        Math.floor((shape[1] - size) / stride) + 1,
        shape[2],
      ];
    } else if (l.kind === 'flatten') shape = [shape.reduce((a, b) => a * b, 1)];
    else if (l.kind === 'dense') {
      perLayer.push(2 * c.batch * shape[0] * l.units);
      shape = [l.units];
    }
  }
  const forward = perLayer.reduce((a, b) => a + b, 0);
  return 3 * forward - (perLayer[0] ?? 0);
}

/**
 * Best-of-`steps` time of one judge training step: forward in training mode (dropout on), mean
 * cross-entropy, backward, Adam (AdamW with no weight decay), on a fixed random batch.
 */
export async function measureConvTrainStep(
  c: ConvBenchCase,
  path: BackendPath,
  steps: number,
  warmup = 1,
  clock: 'cpu' | 'wall' = 'wall',
): Promise<BenchRow> {
  const now = () => {
    if (clock === 'wall') return performance.now();
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  };
  const info = await initBackend(path);
  if (info.path !== path) throw new Error(`path ${path} is not available here (${info.description})`);
  const net = createConvNet(c.net, { seed: 0 });
  const optimizer = new AdamW(net.namedWeights(), { learningRate: c.learningRate, weightDecay: 0 });
  const rng = new Rng(1);
  const [h, w, ch] = c.net.input;
  const classes = net.shapes[net.shapes.length - 1][0];
  const x = tf.tensor4d(
    Float32Array.from({ length: c.batch * h * w * ch }, () => rng.next()),
    [c.batch, h, w, ch],
  );
  const y = tf.tensor1d(
    Int32Array.from({ length: c.batch }, () => rng.int(classes)),
    'int32',
  );
  const step = () => trainStep(net, optimizer, (m) => crossEntropy(m.forward(x, { training: true }), y));
  for (let i = 0; i < warmup; i++) step();
  let best = Number.POSITIVE_INFINITY;
  let taken = 0;
  for (let i = 0; i < steps; i++) {
    const start = now();
    step();
    taken += 1;
    best = Math.min(best, now() - start);
  }
  tf.dispose([x, y]);
  optimizer.dispose();
  net.dispose();
  return {
    config: describeConvCase(c),
    path,
    stepMs: round(best),
    stepsPerSecond: round(1000 / best),
    imagesPerSecond: Math.round((c.batch * 1000) / best),
    gflops: round(convTrainStepFlops(c) / best / 1e6),
    steps: taken,
  };
}
