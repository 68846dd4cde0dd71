/**
 * The runner interrupted for real: a child process runs a long experiment on two worker
 * threads from the compiled CLI; the test kills it midway and inspects the store.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { proxyBandit } from '../../src/experiments/proxy-bandit.js';
import { configHash } from '../../src/lab/config.js';
import { runExperimentInProcess } from '../../src/lab/runner.js';
import { LabStore } from '../../src/lab/store.js';
import { BIN, ensureBuilt, ROOT } from './dist-build.js';
import { tempDir } from './fixtures.js';

// 2e9 pulls would take minutes; a checkpoint (2 metrics) every 2,000 pulls.
const LONG = ['--set', 'pulls=2000000000', '--set', 'checkpoints=1000000'];
const BATCH = 2048; // METRIC_BATCH_SIZE: rows reach the store in whole batches

function spawnCli(args: string[]): {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.resume();
  child.stderr?.resume();
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited };
}

/** Waits until `count` runs are running with at least one metric batch stored each. */
async function waitUntilRunning(db: string, count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const raw = new Database(db, { readonly: true, fileMustExist: true });
      const rows = raw
        .prepare(
          "SELECT r.id, (SELECT count(*) FROM metrics m WHERE m.run = r.id) AS n FROM runs r WHERE r.status = 'running'",
        )
        .all() as { id: number; n: number }[];
      raw.close();
      if (rows.length >= count && rows.every((r) => r.n > 0)) return;
    } catch {
      // the child has not created the database yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('runs never started');
}

/** Metrics of a killed run: whole batches, forming an unbroken prefix of checkpoints. */
function expectWholePrefix(store: LabStore, id: number): void {
  const count = store.metricCount(id);
  expect(count).toBeGreaterThan(0);
  expect(count % BATCH).toBe(0);
  const steps = store.metrics(id, 'specified').map((m) => m.step);
  expect(steps).toEqual(steps.map((_, i) => (i + 1) * 2_000));
  expect(store.metrics(id, 'intended')).toHaveLength(steps.length);
}

describe('interrupting a real run', () => {
  beforeAll(() => ensureBuilt(), 120_000);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: open runs become interrupted, whole metric batches only, exit 130`, async () => {
      const db = join(tempDir(), 'lab.db');
      const { child, exited } = spawnCli([
        'run',
        'proxy-bandit',
        ...LONG,
        '--seeds',
        '2',
        '--workers',
        '2',
        '--db',
        db,
      ]);
      await waitUntilRunning(db, 2);
      child.kill(signal);
      expect((await exited).code).toBe(130);
      const store = LabStore.open(db);
      const runs = store.listRuns();
      expect(runs.map((r) => [r.status, r.result, r.error])).toEqual([
        ['interrupted', null, `interrupted (${signal})`],
        ['interrupted', null, `interrupted (${signal})`],
      ]);
      for (const run of runs) expectWholePrefix(store, run.id);
      store.close();
    });
  }

  it('SIGKILL: the runs stay "running" until the store is next opened, then become interrupted', async () => {
    const db = join(tempDir(), 'lab.db');
    const { child, exited } = spawnCli([
      'run',
      'proxy-bandit',
      ...LONG,
      '--seeds',
      '2',
      '--workers',
      '2',
      '--db',
      db,
    ]);
    await waitUntilRunning(db, 2);
    child.kill('SIGKILL');
    expect((await exited).signal).toBe('SIGKILL');
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare('SELECT status FROM runs ORDER BY id').all()).toEqual([
      { status: 'running' },
      { status: 'running' },
    ]);
    raw.close();
    const store = LabStore.open(db);
    const runs = store.listRuns();
    expect(runs.map((r) => [r.status, r.error])).toEqual([
      ['interrupted', 'the process running it died'],
      ['interrupted', 'the process running it died'],
    ]);
    for (const run of runs) expectWholePrefix(store, run.id);
    store.close();
  });

  it('run --resume reruns interrupted runs on the pool, matching in-process results exactly', async () => {
    const db = join(tempDir(), 'lab.db');
    const config = proxyBandit.config.parse({ pulls: 4000, arms: 16, checkpoints: 8 });
    const store = LabStore.open(db);
    const batch = store.createBatch('proxy-bandit', 'test');
    const ids = store.createRuns(
      [11, 12].map((seed) => ({
        batch,
        experiment: 'proxy-bandit',
        config,
        configHash: configHash(config),
        seed,
        codeVersion: 'test',
      })),
    );
    store.markInterrupted(ids, 'interrupted (SIGINT)');
    store.close();

    const { exited } = spawnCli(['run', '--resume', '--workers', '2', '--db', db]);
    expect((await exited).code).toBe(0);
    const after = LabStore.open(db);
    for (const [i, seed] of [11, 12].entries()) {
      const run = after.requireRun(ids[i]);
      const expected = await runExperimentInProcess(proxyBandit, config, seed);
      expect(run).toMatchObject({ status: 'done', attempt: 2, error: null });
      expect(run.result).toEqual(expected.result);
      expect(after.metrics(run.id, 'intended').map((m) => m.value)).toEqual(
        expected.metrics.values.filter((_, k) => expected.metrics.names[k] === 'intended'),
      );
    }
    after.close();
  });
});
