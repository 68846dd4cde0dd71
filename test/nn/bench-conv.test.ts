// The conv row of `bench nn`: the work it counts (steps taken, FLOPs per step), never its times.
import { expect, it } from 'vitest';
import {
  convBenchCase,
  convTrainStepFlops,
  describeConvCase,
  measureConvTrainStep,
} from '../../src/nn/bench.js';
import { initBackend, judgeLayers } from '../../src/nn/index.js';

it("counts the judge's matmul FLOPs by hand: 3 × forward − the first layer's input gradient", () => {
  const c = convBenchCase();
  expect(c.batch).toBe(64);
  // conv1 64·28·28 rows × 5·5·2 × 32, conv2 64·14·14 × 5·5·32 × 64, dense 64 × 3136 × 1024, 64 × 1024 × 10.
  const conv1 = 2 * 64 * 784 * 50 * 32;
  const forward = conv1 + 2 * 64 * 196 * 800 * 64 + 2 * 64 * 3136 * 1024 + 2 * 64 * 1024 * 10;
  expect(convTrainStepFlops(c)).toBe(3 * forward - conv1);
  expect(describeConvCase(c)).toBe('judge 2×28×28 conv32-pool-conv64-pool-fc1024-drop-fc10 B64');
});

it('measures the asked number of training steps and reports rates consistent with its step time', async () => {
  const path = (await initBackend()).path;
  const small = {
    name: 'conv' as const,
    net: judgeLayers({ conv1: 4, conv2: 4, hidden: 16 }),
    batch: 4,
    learningRate: 1e-4,
  };
  const row = await measureConvTrainStep(small, path, 3, 1, 'cpu');
  expect(row.steps).toBe(3);
  expect(row.path).toBe(path);
  expect(row.stepMs).toBeGreaterThan(0);
  // stepMs is rounded to 0.01 ms, the rates are computed from the unrounded time.
  const images = row.imagesPerSecond as number;
  expect(Math.abs(images - (4 * 1000) / row.stepMs)).toBeLessThan(0.01 * images + 1);
  expect(Math.abs(row.stepsPerSecond * 4 - images)).toBeLessThan(0.01 * images + 1);
  expect(row.tokensPerSecond).toBeUndefined();
});
