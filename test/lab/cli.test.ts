import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LabStore } from '../../src/lab/store.js';
import { cli } from '../cli/helper.js';
import { tempDir } from './fixtures.js';

// Small enough for a test: 2 arms × 2 seeds × 2,000 pulls.
const SMALL = ['--set', 'pulls=2000', '--set', 'checkpoints=5'];

describe('alignlab run / runs / report', () => {
  it('runs a sweep, lists, shows and exports it, and reports it', async () => {
    const dir = tempDir();
    const db = join(dir, 'lab.db');
    const run = await cli(
      'run',
      'proxy-bandit',
      ...SMALL,
      '--seeds',
      '2',
      '--sweep',
      'arms=4,16',
      '--db',
      db,
    );
    expect(run.code).toBe(0);
    expect(run.out).toContain('4 run(s): 4 done');
    const again = await cli(
      'run',
      'proxy-bandit',
      ...SMALL,
      '--seeds',
      '1',
      '--first-seed',
      '7',
      '--json',
      '--db',
      join(dir, 'other.db'),
    );
    const outcome = JSON.parse(again.out) as { batch: number; outcomes: { seed: number; status: string }[] };
    expect(outcome.outcomes.map((o) => [o.seed, o.status])).toEqual([[7, 'done']]);
    expect(run.err).toContain('run 1 proxy-bandit seed=0 arms=4: started');

    const list = await cli('runs', 'list', '--db', db, '--json');
    const rows = JSON.parse(list.out) as { id: number; status: string; sweep_value: number; seed: number }[];
    expect(rows.map((r) => [r.id, r.status, r.sweep_value, r.seed])).toEqual([
      [1, 'done', 4, 0],
      [2, 'done', 4, 1],
      [3, 'done', 16, 0],
      [4, 'done', 16, 1],
    ]);

    const show = await cli('runs', 'show', '3', '--db', db);
    expect(show.out).toMatch(/status\s+done/);
    expect(show.out).toMatch(/specified\s+5\s+2000/); // 5 checkpoints, last at pull 2000

    const csv = await cli('runs', 'export', '--format', 'csv', '--db', db);
    const lines = csv.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0].startsWith('id,batch,experiment,seed,sweep_param,sweep_value,status')).toBe(true);
    const jsonl = await cli('runs', 'export', '--format', 'jsonl', '--metrics', '--db', db);
    const metrics = jsonl.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics).toHaveLength(4 * 5 * 2);
    expect(Object.keys(metrics[0])).toEqual(['run', 'step', 'name', 'value']);

    const folder = await cli('runs', 'export', '--format', 'jsonl', '--db', db, '--out', join(dir, 'export'));
    expect(folder.code).toBe(0);
    expect(
      readFileSync(join(dir, 'export', 'runs.jsonl'), 'utf8')
        .trim()
        .split('\n'),
    ).toHaveLength(4);

    const report = await cli('report', 'proxy-bandit', '--db', db, '--out', join(dir, 'r'));
    expect(report.code).toBe(0);
    expect(existsSync(join(dir, 'r', 'power.png'))).toBe(true);
    expect(readFileSync(join(dir, 'r', 'README.md'), 'utf8')).toContain(
      'Against optimization power (arms searched)',
    );
  });

  it('reproduces with --json in the documented shape', async () => {
    const dir = tempDir();
    const result = await cli(
      'reproduce',
      'proxy-bandit',
      '--quick',
      '--seeds',
      '2',
      '--json',
      '--db',
      join(dir, 'lab.db'),
      '--out',
      join(dir, 'reports'),
    );
    const list = JSON.parse(result.out) as Record<string, unknown>[];
    expect(list).toHaveLength(1);
    expect(Object.keys(list[0])).toEqual([
      'id',
      'claim',
      'verdict',
      'reasons',
      'specified',
      'intended',
      'gap',
      'gates',
      'checks',
      'controls',
      'report',
    ]);
    const checks = list[0].checks as Record<string, unknown>[];
    expect(checks.length).toBeGreaterThan(0);
    for (const c of checks) {
      expect(Object.keys(c)).toEqual([
        'name',
        'value',
        'expected',
        'passed',
        'seeds',
        'seedsPassed',
        'ci',
        'controls',
        'informative',
        'perSeed',
      ]);
      expect(c.seeds).toBe(2);
      expect((c.perSeed as { seed: number }[]).map((s) => s.seed)).toEqual([0, 1]);
    }
    expect(['holds', 'fails', 'inconclusive']).toContain(list[0].verdict);
    expect(result.code).toBe(list[0].verdict === 'holds' ? 0 : 1);
    expect(existsSync(join(dir, 'reports', 'proxy-bandit', 'README.md'))).toBe(true);
  });

  it('reruns runs by id and resumes interrupted ones under the same ids', async () => {
    const db = join(tempDir(), 'lab.db');
    expect((await cli('run', 'proxy-bandit', ...SMALL, '--seeds', '3', '--db', db)).code).toBe(0);
    const store = LabStore.open(db);
    const before = store.requireRun(2).result;
    store.resetForRerun(2);
    store.resetForRerun(3);
    store.markInterrupted([2, 3], 'interrupted (SIGINT)');
    store.close();
    expect(
      (await cli('runs', 'list', '--status', 'interrupted', '--db', db)).out.trim().split('\n'),
    ).toHaveLength(4);

    const rerun = await cli('runs', 'rerun', '2', '--db', db);
    expect(rerun.out).toContain('1 run(s): 1 done');
    const resume = await cli('run', '--resume', '--db', db);
    expect(resume.out).toContain('1 run(s): 1 done');
    expect((await cli('run', '--resume', '--db', db)).out).toBe('no interrupted runs to resume\n');

    const after = LabStore.open(db);
    expect(after.listRuns().map((r) => [r.id, r.status, r.attempt])).toEqual([
      [1, 'done', 1],
      [2, 'done', 3],
      [3, 'done', 3], // reset once by the test, once by --resume
    ]);
    expect(after.requireRun(2).result).toEqual(before);
    after.close();
  });

  it('rejects bad input with one line and exit code 2', async () => {
    const db = join(tempDir(), 'lab.db');
    const unknown = await cli('run', 'no-such-thing', '--db', db);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(
      /^alignlab: unknown experiment 'no-such-thing' \(choose one of: .*proxy-bandit.*\)\n$/,
    );
    const key = await cli('run', 'proxy-bandit', '--set', 'armz=3', '--db', db);
    expect(key.code).toBe(2);
    expect(key.err).toContain("unknown config key 'armz' (did you mean 'arms'? choose one of: arms, pulls");
    const range = await cli('run', 'proxy-bandit', '--set', 'arms=1', '--db', db);
    expect(range.err).toContain("config key 'arms'");
    const type = await cli('run', 'proxy-bandit', '--set', 'arms=many', '--db', db);
    expect(type.err).toMatch(/config key 'arms': .*expected number/i);
    expect((await cli('runs', 'show', '99', '--db', db)).err).toContain('no run with id 99');
    expect((await cli('runs', 'export', '--format', 'xml', '--db', db)).err).toContain(
      "unknown format 'xml' (choose one of: csv, jsonl)",
    );
    expect((await cli('runs', 'list', '--status', 'odd', '--db', db)).err).toContain(
      'choose one of: queued, running',
    );
    expect((await cli('run', 'proxy-bandit', '--seeds', '0', '--db', db)).code).toBe(2);
  });
});
