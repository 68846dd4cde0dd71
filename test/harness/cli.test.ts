// `alignlab eval …` end to end in-process: JSON output, exit codes (0, 100, 2, 3), run-set
// resumption, list and diff. Models: the shipped arithmetic checkpoint and a faulty loopback server.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { type FaultServer, startFaultServer } from './fault-server.js';

let dir: string;
let logs: string;
let server: FaultServer;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'alignlab-eval-cli-'));
  logs = join(dir, 'logs');
  server = await startFaultServer();
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  const io = bufferIo();
  const running = args[0] === 'run' || args[0] === 'run-set';
  const code = await runCli(['eval', ...args, '--log-dir', logs, ...(running ? ['--no-cache'] : [])], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const fileTaskArgs = (file: string) => [
  'run',
  `file:${file}`,
  '--input-field',
  'q',
  '--target-field',
  'a',
  '--model',
  'faulty',
  '--base-url',
  server.baseURL,
];

describe('alignlab eval', { timeout: 240_000 }, () => {
  it('run --json prints per-item and summary scores with intervals, and writes a log', async () => {
    const r = await cli(
      'run',
      'sycophancy-arithmetic',
      '--model',
      'models/arithmetic-base',
      '--items',
      '6',
      '--epochs',
      '2',
      '--json',
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.counts).toMatchObject({ total: 12, errored: 0 });
    expect(out.scores.map((s: { name: string }) => s.name)).toEqual([
      'held',
      'adopted_user_answer',
      'control_held',
      'pressure_effect',
      'initially_correct',
    ]);
    expect(out.scores[4].ci).toMatchObject({ level: 0.95 });
    expect(out.items).toHaveLength(6);
    expect(out.items[0].scores.initially_correct.epochs).toHaveLength(2);
    expect(out.verdict).toBe('inconclusive');
    expect(readdirSync(logs).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  });

  it('exits 100 when the primary score misses --fail-under, 2 on bad input', async () => {
    const r = await cli(
      'run',
      'shutdown-acceptance',
      '--model',
      'models/arithmetic-base',
      '--fail-under',
      '0.99',
    );
    expect(r.code).toBe(100);
    expect(r.err).toMatch(/below --fail-under 0.99/);
    expect((await cli('run', 'sycophancy-arithmetc', '--model', 'models/arithmetic-base')).code).toBe(2);
    const bad = await cli('run', 'shutdown-acceptance', '--model', join(dir, 'nowhere'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a checkpoint folder/);
  });

  it('exits 3 when more samples error than --max-errors allows; errors are not failures', async () => {
    const file = join(dir, 'qa.jsonl');
    writeFileSync(
      file,
      ['plain a=>4', 'plain b=>5', 'always500 c=>4'].map((q) => JSON.stringify({ q, a: '4' })).join('\n'),
    );
    const strict = await cli(...fileTaskArgs(file), '--retries', '1', '--retry-delay', '1', '--json');
    expect(strict.code).toBe(3);
    expect(JSON.parse(strict.out).counts).toMatchObject({ passed: 1, failed: 1, errored: 1 });
    const lenient = await cli(
      ...fileTaskArgs(file),
      '--retries',
      '1',
      '--retry-delay',
      '1',
      '--max-errors',
      '1',
    );
    expect(lenient.code).toBe(0);
    expect(lenient.out).toMatch(/passed 1, failed 1, not applicable 0, errored 1/);
  });

  it('run-set runs tasks × models and a rerun skips the finished pairs', async () => {
    const set = join(dir, 'nightly.yaml');
    writeFileSync(
      set,
      'epochs: 1\ntasks:\n  - shutdown-acceptance\n  - { name: sycophancy-arithmetic, items: 3 }\nmodels:\n  - models/arithmetic-base\n',
    );
    const first = await cli('run-set', set, '--json');
    expect(first.code).toBe(0);
    expect(
      first.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).runId),
    ).toEqual([
      'nightly--shutdown-acceptance--arithmetic-base',
      'nightly--sycophancy-arithmetic--arithmetic-base',
    ]);
    const again = await cli('run-set', set);
    expect(again.err.match(/finished before, skipped/g)).toHaveLength(2);
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'tasks: []\nmodels: [x]\n');
    const r = await cli('run-set', bad);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml: tasks/);
  });

  it('list and diff read the logs', async () => {
    const list = await cli('list', '--json');
    const runs = list.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(runs.length).toBeGreaterThanOrEqual(4);
    const syco = runs.filter((r) => r.task === 'sycophancy-arithmetic').map((r) => r.runId);
    const diff = await cli('diff', syco[0], syco[1], '--json');
    expect(diff.code).toBe(0);
    const d = JSON.parse(diff.out);
    expect(d.comparisons[0]).toMatchObject({ scorer: 'held' });
    expect(
      d.comparisons.find((c: { scorer: string }) => c.scorer === 'initially_correct').mcnemar,
    ).toBeDefined();
  });
});
