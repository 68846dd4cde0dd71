// Retries, time-outs and error accounting against a loopback server that answers 429, 500 or
// nothing: a sample whose call succeeds after retries is scored (and counted as retried); one
// whose call still fails is `error`, never `fail`; wrong answers are `fail`.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteEvalModel } from '../../src/harness/models.js';
import { runEval } from '../../src/harness/run.js';
import { exactMatch } from '../../src/harness/scorers.js';
import { generate } from '../../src/harness/solvers.js';
import { withTransport } from '../../src/harness/transport.js';
import type { Task } from '../../src/harness/types.js';
import { type FaultServer, startFaultServer } from './fault-server.js';

let server: FaultServer;
let cacheDir: string;
beforeAll(async () => {
  server = await startFaultServer();
  cacheDir = mkdtempSync(join(tmpdir(), 'alignlab-eval-cache-'));
});
afterAll(async () => {
  await server.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

// Each prompt says how the server behaves and, after "=>", what it answers; the target is "4".
const faultTask: Task = {
  name: 'faults',
  description: 'retries and errors',
  samples: [
    { id: 'ok-right', input: 'plain 2+2=>4', target: '4' },
    { id: 'ok-wrong', input: 'plain 2+2 again=>5', target: '4' },
    { id: 'flaky429', input: 'flaky429 2+2=>4', target: '4' },
    { id: 'flaky500', input: 'flaky500 2+2=>5', target: '4' },
    { id: 'always500', input: 'always500 2+2=>4', target: '4' },
    { id: 'hang', input: 'hang 2+2=>4', target: '4' },
  ],
  solver: generate(),
  scorers: [exactMatch()],
};

// Time-outs: generous for answering requests (the machine may be loaded: never a wall-clock
// race), short only in the test whose one request never gets an answer.
function model(options: { cache?: boolean; retries?: number; timeoutMs?: number } = {}) {
  return withTransport(
    remoteEvalModel({ model: 'faulty', baseURL: server.baseURL, apiKey: 'sk-secret-never-logged' }),
    {
      concurrency: 3,
      retry: {
        retries: options.retries ?? 2,
        baseDelayMs: 1,
        maxDelayMs: 5,
        timeoutMs: options.timeoutMs ?? 30_000,
      },
      cache: options.cache ? { dir: cacheDir, ttlSeconds: 3600 } : undefined,
    },
  );
}

describe('eval runs against a faulty endpoint', () => {
  it('counts passed, failed, errored and retried samples apart', async () => {
    server.attempts.clear();
    const answering = { ...faultTask, samples: faultTask.samples.filter((s) => s.id !== 'hang') };
    const log = await runEval(answering, model({ retries: 2 }));
    const byId = new Map(log.samples.map((s) => [s.id, s]));
    expect(byId.get('ok-right')).toMatchObject({ status: 'scored', passed: true, attempts: 1 });
    expect(byId.get('ok-wrong')).toMatchObject({ status: 'scored', passed: false });
    // 429 twice (Retry-After: 0), then the answer: scored, three attempts.
    expect(byId.get('flaky429')).toMatchObject({ status: 'scored', passed: true, attempts: 3 });
    // 500 once, then a wrong answer: a real fail, after a retry.
    expect(byId.get('flaky500')).toMatchObject({ status: 'scored', passed: false, attempts: 2 });
    // 500 on the first try and both retries: error, never fail.
    expect(byId.get('always500')).toMatchObject({ status: 'error', passed: null, attempts: 3 });
    expect(byId.get('always500')?.error).toMatch(/HTTP 500.*after 3 attempts/);
    expect(server.attempts.get('always500 2+2=>4')).toBe(3);
    expect(log.summary?.counts).toMatchObject({
      total: 5,
      scored: 4,
      errored: 1,
      passed: 2,
      failed: 2,
      retried: 3,
    });
    // Errors never enter the score: 2 right of 4 scored.
    expect(log.summary?.scores[0]).toMatchObject({ name: 'exact', items: 4, mean: 0.5 });
    expect(JSON.stringify(log)).not.toContain('sk-secret-never-logged');
  });

  it('abandons a call that gets no answer within the time-out, retries it, then errors', async () => {
    const hang = { ...faultTask, samples: faultTask.samples.filter((s) => s.id === 'hang') };
    const log = await runEval(hang, model({ retries: 2, timeoutMs: 300 }));
    expect(log.samples[0]).toMatchObject({ status: 'error', passed: null, attempts: 3 });
    expect(log.samples[0].error).toMatch(/timed out after 300 ms/);
    expect(log.summary?.counts).toMatchObject({ errored: 1, failed: 0, retried: 1 });
  });

  it('does not retry a 500 when retries are 0', async () => {
    server.attempts.clear();
    const log = await runEval(
      { ...faultTask, samples: faultTask.samples.filter((s) => s.id === 'flaky500') },
      model({ retries: 0 }),
    );
    expect(log.samples[0]).toMatchObject({ status: 'error', attempts: 1 });
  });

  it('answers a rerun from the disk cache, keyed by model and request', async () => {
    const task = { ...faultTask, samples: faultTask.samples.filter((s) => s.id.startsWith('ok')) };
    server.attempts.clear();
    const first = await runEval(task, model({ cache: true }));
    const second = await runEval(task, model({ cache: true }));
    expect(first.summary?.counts.cachedCalls).toBe(0);
    expect(second.summary?.counts.cachedCalls).toBe(2);
    expect(second.samples.map((s) => s.output)).toEqual(first.samples.map((s) => s.output));
    expect([...server.attempts.values()].reduce((a, b) => a + b, 0)).toBe(2); // the second run made no request
    const entries = readdirSync(cacheDir, { recursive: true }).map(String);
    expect(entries.some((e) => e.endsWith('.json'))).toBe(true);
    // A different temperature is a different request: a miss.
    const hot = await runEval(task, model({ cache: true }), { temperature: 1 });
    expect(hot.summary?.counts.cachedCalls).toBe(0);
  });

  it('resumes: scored samples are kept, errored ones run again', async () => {
    const answering = { ...faultTask, samples: faultTask.samples.filter((s) => s.id !== 'hang') };
    const first = await runEval(answering, model({ retries: 0 }));
    server.attempts.clear();
    const again = await runEval(answering, model({ retries: 0 }), { resume: first });
    const rerun = [...server.attempts.keys()];
    // Only the samples that errored the first time were asked again.
    const errored = first.samples.filter((s) => s.status === 'error').map((s) => String(s.input));
    expect(rerun.sort()).toEqual(errored.sort());
    expect(again.runId).toBe(first.runId);
  });
});
