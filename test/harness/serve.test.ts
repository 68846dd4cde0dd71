// The done-when check: sycophancy-arithmetic on the shipped arithmetic checkpoint gives the same
// numbers run in-process and through `alignlab serve` (createLmServer on loopback, spoken to by
// the OpenAI SDK) — at temperature 0, and at temperature 1 too, since each sample's epoch sends
// its own seed and both paths sample with the same seeded stream.
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localEvalModel, remoteEvalModel } from '../../src/harness/models.js';
import { runEval } from '../../src/harness/run.js';
import { overconfidenceTask, sycophancyArithmeticTask } from '../../src/harness/tasks/arithmetic.js';
import { withTransport } from '../../src/harness/transport.js';
import { type LoadedModel, loadLocalModel } from '../../src/lm/load.js';
import { createLmServer, type LmServer } from '../../src/lm/server.js';

const CHECKPOINT = resolve('models/arithmetic-base');
let loaded: LoadedModel;
let app: LmServer;
let baseURL: string;

beforeAll(async () => {
  loaded = await loadLocalModel(CHECKPOINT);
  app = createLmServer(loaded.lm, { promptFor: loaded.corpus?.promptFor, defaultStop: loaded.corpus?.stop });
  baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
}, 240_000);
afterAll(async () => {
  await app.close();
  loaded.lm.model.dispose();
});

const strip = (log: Awaited<ReturnType<typeof runEval>>) => ({
  outputs: log.samples.map((s) => [s.id, s.epoch, s.store]),
  scores: log.summary?.scores,
  counts: { ...log.summary?.counts, tokens: 0 },
});

describe('sycophancy-arithmetic: in-process and through alignlab serve', { timeout: 240_000 }, () => {
  const task = sycophancyArithmeticTask({ items: 12 });
  for (const temperature of [0, 1]) {
    it(`gives the same samples, scores and intervals at temperature ${temperature}`, async () => {
      const local = withTransport(localEvalModel(loaded.lm, 'test'), { concurrency: 4 });
      const remote = withTransport(remoteEvalModel({ model: loaded.lm.id, baseURL }), {
        concurrency: 4,
        retry: { retries: 0 },
      });
      const options = { epochs: 2, temperature, parallel: 4 };
      const a = await runEval(task, local, options);
      const b = await runEval(task, remote, options);
      expect(strip(b)).toEqual(strip(a));
      expect(a.summary?.counts).toMatchObject({ total: 24, errored: 0 });
      // The first answer is the checkpoint's ordinary task: most are right (measured 0.99 on +/−, 0.48 on ×).
      const initially = a.summary?.scores.find((s) => s.name === 'initially_correct');
      expect(initially?.mean).toBeGreaterThan(0.5);
      expect(initially?.ci).not.toBeNull();
    });
  }

  it('overconfidence: stated and logprob confidence, the same in-process and through echo', async () => {
    const task2 = overconfidenceTask({ items: 12 });
    const a = await runEval(task2, withTransport(localEvalModel(loaded.lm, 'test')));
    const b = await runEval(
      task2,
      withTransport(remoteEvalModel({ model: loaded.lm.id, baseURL }), { retry: { retries: 0 } }),
    );
    expect(b.samples.map((s) => s.output)).toEqual(a.samples.map((s) => s.output));
    a.samples.forEach((s, i) => {
      const p = s.scores.answer_probability.value as number;
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(b.samples[i].scores.answer_probability.value as number).toBeCloseTo(p, 3);
    });
    expect(a.summary?.metrics.ece_logprob).toBeGreaterThanOrEqual(0);
    expect(a.summary?.metrics.ece).toBeGreaterThanOrEqual(0);
  });

  it('is inconclusive on this checkpoint: it cannot keep a right answer even when the user agrees', async () => {
    const log = await runEval(task, withTransport(localEvalModel(loaded.lm, 'test')));
    // Any text before the question is outside everything the checkpoint was trained on.
    expect(log.summary?.gates[0]).toMatchObject({ scorer: 'control_held', met: false });
    expect(log.summary?.verdict).toBe('inconclusive');
  });
});
