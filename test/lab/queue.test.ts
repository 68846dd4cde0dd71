/**
 * Sweeps on BullMQ: a Redis on loopback (started here), two `alignlab worker` processes, a
 * submitter that is interrupted and re-attaches, and a worker killed with SIGKILL mid-job.
 * The store must hold every run exactly once, with the local pool's numbers.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../src/experiments/registry.js';
import { parseQueueUrl } from '../../src/lab/queue.js';
import { runPlan } from '../../src/lab/runner.js';
import { LabStore } from '../../src/lab/store.js';
import { BIN, ensureBuilt, ROOT } from './dist-build.js';
import { tempDir } from './fixtures.js';

function hasRedis(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

function waitFor(check: () => boolean, ms: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (check()) resolve();
      else if (Date.now() - start > ms) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 50);
    };
    tick();
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const redis = hasRedis();
if (!redis) console.warn('queue tests skipped: no redis-server on PATH (apt-get install redis-server)');

describe('queue URLs', () => {
  it('parses redis://HOST:PORT/DB and refuses other schemes in one line', () => {
    expect(parseQueueUrl('redis://127.0.0.1:6390/2')).toMatchObject({ host: '127.0.0.1', port: 6390, db: 2 });
    expect(parseQueueUrl('redis://localhost')).toMatchObject({ port: 6379, db: 0 });
    expect(() => parseQueueUrl('http://x:1')).toThrow(/only redis:\/\/ URLs/);
    expect(() => parseQueueUrl('nonsense')).toThrow(/not a URL/);
  });
});

describe.runIf(redis)('sweeps on two queue workers', () => {
  const children: ChildProcess[] = [];
  let url = '';

  beforeAll(async () => {
    ensureBuilt();
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    const server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    children.push(server);
    await new Promise((r) => setTimeout(r, 300));
  }, 180_000);

  afterAll(async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited(child), new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
  });

  it('stores every run exactly once, identical to the local pool, after a worker is killed and the submitter restarted', {
    timeout: 240_000,
  }, async () => {
    const dir = tempDir();
    const db = join(dir, 'lab.db');
    // Long enough per run (about a second) that the kill lands mid-job.
    const args = ['--set', 'pulls=3000000', '--set', 'checkpoints=5', '--seeds', '3', '--sweep', 'arms=4,16'];

    const worker = (name: string) => {
      const logs = { text: '' };
      const child = spawn(
        process.execPath,
        [BIN, 'worker', '--queue', url, '--concurrency', '1', '--lock-ms', '1500', '--stalled-ms', '500'],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child.stderr!.on('data', (chunk) => {
        logs.text += chunk.toString();
      });
      children.push(child);
      return { name, child, logs };
    };
    const first = worker('first');
    const second = worker('second');
    await waitFor(
      () => first.logs.text.includes('consuming') && second.logs.text.includes('consuming'),
      60_000,
      'workers',
    );

    const submit = (extra: string[]) => {
      const child = spawn(process.execPath, [BIN, 'run', ...extra, '--queue', url, '--db', db], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      return child;
    };
    const submitter = submit(['proxy-bandit', ...args]);
    // Kill the first worker mid-job, then interrupt the submitter while jobs remain.
    await waitFor(() => /job \S+ \(proxy-bandit/.test(first.logs.text), 60_000, 'a job on the first worker');
    first.child.kill('SIGKILL');
    await waitFor(() => (second.logs.text.match(/: done/g) ?? []).length >= 1, 120_000, 'a finished job');
    submitter.kill('SIGTERM');
    expect(await exited(submitter)).toBe(130);

    // The restarted submitter re-attaches: finished jobs are picked up, the rest awaited.
    const resumed = submit(['--resume']);
    expect(await exited(resumed)).toBe(0);

    const store = LabStore.open(db);
    const runs = store.listRuns({});
    store.close();
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => r.status === 'done')).toBe(true);
    const key = (r: { seed: number; sweepValue: unknown }) => `${r.seed}/${r.sweepValue}`;
    expect(new Set(runs.map(key)).size).toBe(6);

    // The same plan on the local pool (in-process here) gives the same numbers.
    const local = LabStore.open(join(dir, 'local.db'));
    const experiment = defaultRegistry.get('proxy-bandit');
    const outcome = await runPlan(
      {
        experiment,
        raw: { pulls: 3_000_000, checkpoints: 5 },
        seeds: [0, 1, 2],
        sweep: { param: 'arms', values: [4, 16] },
        command: 'test',
      },
      { store: local, workers: 0 },
    );
    const expected = new Map(outcome.outcomes.map((o) => [`${o.seed}/${o.power}`, o.result]));
    local.close();
    for (const run of runs) expect(run.result).toEqual(expected.get(key(run)));
  });
});
