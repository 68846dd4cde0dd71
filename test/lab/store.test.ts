import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/core/errors.js';
import { LabStore, resolveDbPath } from '../../src/lab/store.js';
import { tempDir } from './fixtures.js';

function newRun(store: LabStore, seed = 0): number {
  const batch = store.createBatch('counter', 'test');
  return store.createRuns([
    { batch, experiment: 'counter', config: { steps: 3 }, configHash: 'h', seed, codeVersion: 'test' },
  ])[0];
}

function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

function userError(action: () => unknown): UserInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserInputError);
    return error as UserInputError;
  }
  throw new Error('expected a UserInputError');
}

describe('LabStore', () => {
  it('resolves --db, then $ALIGNLAB_DB, then .alignlab/lab.db', () => {
    expect(resolveDbPath('/x/a.db', { ALIGNLAB_DB: '/y/b.db' })).toBe('/x/a.db');
    expect(resolveDbPath(undefined, { ALIGNLAB_DB: '/y/b.db' })).toBe('/y/b.db');
    expect(resolveDbPath(undefined, {})).toMatch(/\.alignlab\/lab\.db$/);
  });

  it('records a run from queued through running to done, with metrics and artifacts', () => {
    const store = LabStore.open(join(tempDir(), 'lab.db'));
    const id = newRun(store);
    expect(store.getRun(id)?.status).toBe('queued');
    store.startRun(id);
    expect(store.getRun(id)?.status).toBe('running');
    store.appendMetrics(id, { steps: [1, 2], names: ['specified', 'specified'], values: [0.5, 1.5] });
    store.putArtifact(id, 'policy.json', '{"a":1}');
    store.finishRun(
      id,
      { specified: 1.5, intended: 0.25 },
      { steps: [3], names: ['specified'], values: [2] },
    );
    const run = store.requireRun(id);
    expect(run).toMatchObject({
      status: 'done',
      result: { specified: 1.5, intended: 0.25 },
      seed: 0,
      attempt: 1,
    });
    expect(store.metrics(id, 'specified').map((m) => m.value)).toEqual([0.5, 1.5, 2]);
    expect(store.artifacts(id)[0].data.toString()).toBe('{"a":1}');
    store.close();
  });

  it('stores a large batch row for row (multi-row statements plus the remainder)', () => {
    const store = LabStore.open(join(tempDir(), 'lab.db'));
    const id = newRun(store);
    const steps = Array.from({ length: 150 }, (_, i) => i); // 2 × 64 rows + 22 single rows
    store.appendMetrics(id, {
      steps,
      names: steps.map((s) => (s % 2 ? 'b' : 'a')),
      values: steps.map((s) => s / 4),
    });
    const b = store.metrics(id, 'b');
    expect(b).toHaveLength(75);
    expect(b.every((m) => m.value === m.step / 4 && m.step % 2 === 1)).toBe(true);
    expect(store.metricCount(id)).toBe(150);
    store.close();
  });

  it('marks only open runs interrupted, and a rerun starts the run afresh under its id', () => {
    const store = LabStore.open(join(tempDir(), 'lab.db'));
    const done = newRun(store, 0);
    const open = newRun(store, 1);
    store.startRun(done);
    store.finishRun(done, { specified: 1, intended: 1 });
    store.startRun(open);
    store.appendMetrics(open, { steps: [1], names: ['specified'], values: [1] });
    store.markInterrupted([done, open], 'interrupted (SIGINT)');
    expect(store.requireRun(done).status).toBe('done');
    expect(store.requireRun(open)).toMatchObject({
      status: 'interrupted',
      error: 'interrupted (SIGINT)',
      result: null,
    });
    store.resetForRerun(open);
    expect(store.requireRun(open)).toMatchObject({ status: 'queued', attempt: 2, error: null });
    expect(store.metricCount(open)).toBe(0);
    store.close();
  });

  it('marks runs of a dead process interrupted when the store is next opened', () => {
    const path = join(tempDir(), 'lab.db');
    const store = LabStore.open(path);
    const running = newRun(store, 0);
    const queued = newRun(store, 1);
    const ours = newRun(store, 2);
    store.startRun(running);
    store.close();
    // Simulate a process killed with SIGKILL: its pid no longer exists.
    const raw = new Database(path);
    raw.prepare('UPDATE runs SET pid = ? WHERE id IN (?, ?)').run(deadPid(), running, queued);
    raw.close();
    const reopened = LabStore.open(path);
    expect(reopened.requireRun(running).status).toBe('interrupted');
    expect(reopened.requireRun(queued).status).toBe('interrupted');
    expect(reopened.requireRun(ours).status).toBe('queued'); // this process is alive
    reopened.close();
  });

  it('refuses a file of garbage with a clear error and leaves it byte for byte', () => {
    const path = join(tempDir(), 'lab.db');
    const garbage = Buffer.from('this is not a database, just some bytes\n'.repeat(200));
    writeFileSync(path, garbage);
    const error = userError(() => LabStore.open(path));
    expect(error.message).toContain('not a readable alignlab database');
    expect(error.message).toContain(path);
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });

  it('refuses a foreign SQLite database and leaves its tables alone', () => {
    const path = join(tempDir(), 'other.db');
    const other = new Database(path);
    other.exec("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('keep me')");
    other.close();
    expect(userError(() => LabStore.open(path)).message).toContain('not an alignlab database');
    const check = new Database(path);
    expect(check.prepare('SELECT t FROM notes').all()).toEqual([{ t: 'keep me' }]);
    expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'runs'").get()).toEqual({
      n: 0,
    });
    check.close();
  });

  it('reports a database locked by another writer after the busy timeout, and loses no runs', () => {
    const path = join(tempDir(), 'lab.db');
    const first = LabStore.open(path);
    const id = newRun(first);
    first.startRun(id);
    first.finishRun(id, { specified: 2, intended: 1 });
    first.close();

    const holder = new Database(path);
    holder.exec('BEGIN IMMEDIATE'); // another process holding the write lock
    const store = LabStore.open(path, { busyTimeoutMs: 50 });
    expect(store.requireRun(id).status).toBe('done'); // WAL: reading still works
    const error = userError(() => store.createBatch('counter', 'test'));
    expect(error.message).toContain('database is locked by another process');
    holder.exec('ROLLBACK');
    holder.close();
    store.createBatch('counter', 'after the lock');
    expect(store.requireRun(id).result).toEqual({ specified: 2, intended: 1 });
    store.close();

    const exclusive = new Database(path);
    exclusive.pragma('locking_mode = EXCLUSIVE');
    exclusive.exec('BEGIN EXCLUSIVE');
    expect(userError(() => LabStore.open(path, { busyTimeoutMs: 50 })).message).toContain('locked');
    exclusive.exec('COMMIT');
    exclusive.close();
    const after = LabStore.open(path);
    expect(after.listRuns().map((r) => r.status)).toEqual(['done']);
    after.close();
  });
});
