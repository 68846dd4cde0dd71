import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECIFIED } from '../../src/experiments/types.js';
import { planPoints, rerunRuns, runExperimentInProcess, runPlan } from '../../src/lab/runner.js';
import { LabStore } from '../../src/lab/store.js';
import { checkClaim, meanResult, resultAtHighestPower, seedResults } from '../../src/lab/summary.js';
import { counter, tempDir, testRegistry } from './fixtures.js';

const openStore = () => LabStore.open(join(tempDir(), 'lab.db'));

describe('runner (in-process)', () => {
  it('expands a sweep × seeds into validated configs, sweep-major', () => {
    const points = planPoints({
      experiment: counter,
      raw: { agent: { alpha: 0.1 } },
      seeds: [7, 8],
      sweep: { param: 'steps', values: [3, 4] },
      command: 'test',
    });
    expect(points.map((p) => [p.power, p.seed, (p.config as { steps: number }).steps])).toEqual([
      [3, 7, 3],
      [3, 8, 3],
      [4, 7, 4],
      [4, 8, 4],
    ]);
  });

  it('records every run with its metrics, result and artifact', async () => {
    const store = openStore();
    const outcome = await runPlan(
      {
        experiment: counter,
        raw: {},
        seeds: [0, 1],
        sweep: { param: 'steps', values: [5, 12] },
        command: 'test',
      },
      { store, workers: 0 },
    );
    expect(outcome.interrupted).toBe(false);
    expect(outcome.outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done', 'done']);
    const runs = store.listRuns({ batch: outcome.batch });
    expect(runs.map((r) => [r.seed, r.sweepValue, r.result?.specified, r.result?.intended])).toEqual([
      [0, 5, 5, 5],
      [1, 5, 5, 5],
      [0, 12, 12, 10],
      [1, 12, 12, 10],
    ]);
    // 3 metric names per step.
    expect(store.metricCount(runs[2].id)).toBe(36);
    expect(store.metrics(runs[2].id, SPECIFIED).map((m) => m.step)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
    ]);
    expect(
      store
        .artifacts(runs[0].id)
        .find((a) => a.name === 'note.txt')
        ?.data.toString(),
    ).toBe('alpha=0.5');
    expect(runs[0].configHash).not.toBe(runs[2].configHash);
    store.close();
  });

  it('is deterministic per seed and differs across seeds', async () => {
    const config = counter.config.parse({ steps: 3 });
    const a = await runExperimentInProcess(counter, config, 4);
    const b = await runExperimentInProcess(counter, config, 4);
    const c = await runExperimentInProcess(counter, config, 5);
    expect(a.result).toEqual(b.result);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.result.summary?.firstDraw).not.toBe(c.result.summary?.firstDraw);
  });

  it('marks a throwing run failed with its error and carries on with the others', async () => {
    const store = openStore();
    const outcome = await runPlan(
      {
        experiment: counter,
        raw: {},
        seeds: [0],
        sweep: { param: 'fail', values: [true, false] },
        command: 'test',
      },
      { store, workers: 0 },
    );
    expect(outcome.outcomes.map((o) => o.status)).toEqual(['failed', 'done']);
    expect(store.requireRun(outcome.outcomes[0].id).error).toBe('Error: boom at step 3');
    store.close();
  });

  it('stops on abort: the open run and the queued ones become interrupted, and rerun completes them', async () => {
    const store = openStore();
    const controller = new AbortController();
    let started = 0;
    const outcome = await runPlan(
      { experiment: counter, raw: { steps: 400, yieldEvery: 1 }, seeds: [0, 1, 2], command: 'test' },
      {
        store,
        workers: 0,
        signal: controller.signal,
        reporter: {
          runStarted: () => started++,
          runProgress: (_id, done) => {
            if (done === 50) controller.abort(new Error('SIGINT'));
          },
          runFinished: () => {},
          close: () => {},
        },
      },
    );
    expect(started).toBe(1);
    expect(outcome.interrupted).toBe(true);
    const runs = store.listRuns({ batch: outcome.batch });
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    expect(runs[0].error).toBe('interrupted (SIGINT)');
    expect(runs[0].result).toBeNull();
    // Whole metric batches only: what reached the store is a prefix of the run's metrics.
    expect(store.metricCount(runs[0].id) % 3).toBe(0);

    const rerun = await rerunRuns(runs, testRegistry, { store, workers: 0 });
    expect(rerun.map((o) => o.status)).toEqual(['done', 'done', 'done']);
    const after = store.requireRun(runs[0].id);
    expect(after).toMatchObject({ status: 'done', attempt: 2, result: { specified: 400, intended: 10 } });
    expect(store.metricCount(after.id)).toBe(1200);
    store.close();
  });
});

describe('summaries and claims', () => {
  it('averages results field by field', () => {
    expect(
      meanResult([
        { specified: 1, intended: 0, intendedBest: 2, summary: { a: 1, b: 5 } },
        { specified: 3, intended: 1, intendedBest: 4, summary: { a: 3 } },
      ]),
    ).toEqual({ specified: 2, intended: 0.5, intendedBest: 3, summary: { a: 2 } });
  });

  it('checks the claim on the mean at the highest power', async () => {
    const store = openStore();
    const outcome = await runPlan(
      {
        experiment: counter,
        raw: {},
        seeds: [0, 1],
        sweep: { param: 'steps', values: [40, 5] },
        command: 'test',
      },
      { store, workers: 0 },
    );
    const runs = seedResults(store.listRuns({ batch: outcome.batch }));
    expect(resultAtHighestPower(runs)).toMatchObject({ specified: 40, intended: 10, intendedBest: 10 });
    const verdict = checkClaim(counter, runs);
    expect(verdict.checks).toEqual([
      { name: 'specified - intended at the highest power', passed: true, value: 30, expected: '>= 5' },
    ]);
    expect(checkClaim(counter, []).checks[0].passed).toBe(false);
    store.close();
  });
});
