import { describe, expect, it } from 'vitest';
import { EgocentricCrop, GridPpo, gridPpoConfig, Mlp } from '../../src/agents/grid-ppo.js';
import { Rng } from '../../src/core/rng.js';
import { makeEnv } from '../../src/envs/suite/index.js';
import { evaluatePolicy } from '../../src/experiments/evaluation.js';

describe('EgocentricCrop', () => {
  it('centres the crop on the agent, one channel per listed value, off-board cells as walls', () => {
    // A 3×4 board (values): agent 2 at (0,0), a coin 3 at (1,1), an end 4 at (0,3); floor 1.
    const board = Uint8Array.from([2, 1, 1, 4, 1, 3, 1, 1, 0, 0, 0, 0]);
    const crop = new EgocentricCrop(gridPpoConfig.parse({ viewRows: 1, viewCols: 1, channels: [0, 3, 4] }));
    const out = new Int32Array(crop.maxActive);
    const n = crop.encode({ board, rows: 3, cols: 4, extra: {} }, out, 0);
    // 3×3 crop cells 0..8 around (0,0): cells 0,1,2,3,6 lie off the board (wall = channel 0);
    // cell 8 is (1,1), the coin (channel 1). Input index = cell × 3 + channel.
    expect(Array.from(out.subarray(0, n))).toEqual([0, 3, 6, 9, 18, 25]);
    expect(crop.inputs).toBe(27);
  });
});

describe('Mlp', () => {
  it('back-propagates the gradient finite differences give (random net, random inputs)', () => {
    const rng = new Rng(5);
    const net = new Mlp(12, 5, 3, rng, 1, 3);
    const active = Int32Array.from([1, 4, 9]);
    const dOut = [0.7, -1.3, 0.4];
    const loss = () => {
      const out = net.forward(active, 0, active.length);
      return out[0] * dOut[0] + out[1] * dOut[1] + out[2] * dOut[2];
    };
    loss();
    net.backward(active, 0, active.length, dOut);
    const eps = 1e-6;
    let checked = 0;
    for (let i = 0; i < net.params.length; i++) {
      const saved = net.params[i];
      net.params[i] = saved + eps;
      const up = loss();
      net.params[i] = saved - eps;
      const down = loss();
      net.params[i] = saved;
      const numeric = (up - down) / (2 * eps);
      // Central differences in float64 agree to ~1e-9 here; 1e-6 leaves a wide margin.
      expect(Math.abs(net.grads[i] - numeric)).toBeLessThan(1e-6);
      if (net.grads[i] !== 0) checked++;
    }
    // Inputs 1, 4, 9 of 12 are active: the other 9 input rows have zero gradient, the rest not.
    expect(checked).toBe(net.params.length - 9 * 5);
  });
});

describe('GridPpo', () => {
  it('learns the training task of coin-run: the coin at the end of new levels (>= 0.9 of episodes)', () => {
    // The quick experiment's setting on seed 11 (not one the experiment tests use).
    const train = makeEnv('coin-run', { variant: 'train', rng: new Rng(11) });
    const agent = new GridPpo(train.env, gridPpoConfig.parse({ steps: 12_000 }), new Rng(11));
    const before = evaluatePolicy(
      makeEnv('coin-run', { variant: 'train', rng: new Rng(12) }),
      agent.policy(),
      new Rng(0),
      100,
    );
    agent.train();
    const after = evaluatePolicy(
      makeEnv('coin-run', { variant: 'train', rng: new Rng(12) }),
      agent.policy(),
      new Rng(0),
      100,
    );
    // Measured: a random walk takes the coin in ~4% of 60-step episodes; trained, in ~100%.
    expect(before.safety.coin).toBeLessThan(0.2);
    expect(after.safety.coin).toBeGreaterThanOrEqual(0.9);
    expect(agent.steps).toBe(12_000);
  });

  it('is deterministic: the same seeds give the same policy', () => {
    const run = () => {
      const train = makeEnv('coin-run', { variant: 'train', rng: new Rng(3) });
      const agent = new GridPpo(train.env, gridPpoConfig.parse({ steps: 1024 }), new Rng(3));
      agent.train();
      const test = makeEnv('coin-run', { variant: 'test', rng: new Rng(4) });
      return evaluatePolicy(test, agent.policy(), new Rng(5), 20);
    };
    expect(run()).toEqual(run());
  });
});
