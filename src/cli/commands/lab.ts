import type { Command } from 'commander';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { defaultRegistry } from '../../experiments/registry.js';
import type { SweepValue } from '../../experiments/types.js';
import {
  type LabBenchRow,
  metricsWriteThroughput,
  pooledMetricsThroughput,
  poolSpeedup,
} from '../../lab/bench.js';
import { mergeConfigSources, parseOverride } from '../../lab/config.js';
import { reporterFor } from '../../lab/progress.js';
import { parseQueueUrl, type QueueTarget } from '../../lab/queue.js';
import { formatNumber, writeReport } from '../../lab/report.js';
import {
  defaultWorkers,
  type JobOutcome,
  poolAvailable,
  rerunRuns,
  runPlan,
  type SweepSpec,
} from '../../lab/runner.js';
import { LabStore, RUN_STATUSES, type RunRecord, type RunStatus, resolveDbPath } from '../../lab/store.js';
import { alignmentGap } from '../../lab/summary.js';
import { ExitCode } from '../exit-code.js';
import { interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { checkOutputFile, checkOutputFolder, writeOutputFile } from '../out-path.js';
import { textTable } from '../text-table.js';

const collect = (value: string, previous: string[]) => [...previous, value];

function parseInteger(text: string, flag: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < min || Number(text) > max) {
    throw new UserInputError(`'${text}' is not an integer in [${min}, ${max}]`, flag);
  }
  return Number(text);
}

export interface SeedFlags {
  seeds?: string;
  firstSeed?: string;
}

export function seedList(flags: SeedFlags, fallback: number): number[] {
  const count = flags.seeds === undefined ? fallback : parseInteger(flags.seeds, '--seeds', 1, 10_000);
  const first = flags.firstSeed === undefined ? 0 : parseInteger(flags.firstSeed, '--first-seed', 0, 2 ** 31);
  return Array.from({ length: count }, (_, i) => first + i);
}

export function workerCount(text: string | undefined, jobs: number): number {
  return text === undefined ? defaultWorkers(jobs) : parseInteger(text, '--workers', 0, 256);
}

/** `mode` 'read' for commands that only list (they never create a store), 'existing' for rerun. */
export function openStore(db?: string, mode: 'create' | 'existing' | 'read' = 'create'): LabStore {
  return LabStore.open(resolveDbPath(db), { mode });
}

/** `param=v1,v2,...`, each value parsed as JSON when it is JSON. */
function parseSweep(text: string): SweepSpec {
  const { key, value } = parseOverride(text);
  const values = String(value)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((v) => {
      try {
        return JSON.parse(v) as SweepValue;
      } catch {
        return v;
      }
    });
  if (values.length === 0)
    throw new UserInputError(`'${text}' lists no values (e.g. arms=2,8,32)`, '--sweep');
  return { param: key, values };
}

export const interruptNotice = 'marking open runs interrupted (resume with `alignlab run --resume`)';

/** 0 when every run finished, 130 when interrupted, 1 when a run failed. */
export function exitCodeOf(outcomes: readonly JobOutcome[]): number {
  if (outcomes.some((o) => o.status === 'interrupted')) return 130;
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

function printOutcomes(io: CliIo, outcomes: readonly JobOutcome[]): void {
  const counts = RUN_STATUSES.map((s) => [s, outcomes.filter((o) => o.status === s).length] as const).filter(
    ([, n]) => n > 0,
  );
  io.out(`${outcomes.length} run(s): ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}\n`);
  for (const o of outcomes.filter((x) => x.status === 'failed')) io.out(`run ${o.id} failed: ${o.error}\n`);
  if (outcomes.some((o) => o.status === 'interrupted')) {
    io.out(
      `interrupted runs: ${outcomes
        .filter((o) => o.status === 'interrupted')
        .map((o) => o.id)
        .join(' ')} — rerun with \`alignlab run --resume\`\n`,
    );
  }
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function runRow(r: RunRecord): Record<string, unknown> {
  return {
    id: r.id,
    batch: r.batch,
    experiment: r.experiment,
    seed: r.seed,
    sweep_param: r.sweepParam,
    sweep_value: r.sweepValue,
    status: r.status,
    attempt: r.attempt,
    specified: r.result?.specified ?? null,
    intended: r.result?.intended ?? null,
    intended_best: r.result?.intendedBest ?? null,
    gap: r.result ? (alignmentGap(r.result) ?? null) : null,
    code_version: r.codeVersion,
    config_hash: r.configHash,
    created_at: r.createdAt,
    started_at: r.startedAt,
    finished_at: r.finishedAt,
    error: r.error,
    config: r.config,
    summary: r.result?.summary ?? null,
  };
}

function runCommand(program: Command, io: CliIo): void {
  program
    .command('run [experiment]')
    .description('run an experiment over seeds (and a sweep) on the worker pool, recording it in the store')
    .option('--config <file>', 'a JSON or YAML config file (keys as in the schema)')
    .option('--set <key=value>', 'override a config key (dotted keys; values parsed as JSON)', collect, [])
    .option('--seeds <n>', 'number of seeds', '1')
    .option('--first-seed <s>', 'first seed (seeds are s, s+1, ...)')
    .option('--sweep <param=v1,v2,...>', 'sweep a config key over values')
    .option('--quick', "use the experiment's quick config")
    .option('--workers <n>', 'worker threads (0 = in-process); default: one per run up to the cores')
    .option('--resume', 'rerun the interrupted runs (of [experiment], or all)')
    .option('--queue <url>', 'run on `alignlab worker` processes through Redis (redis://HOST:PORT)')
    .option('--db <file>', 'store file (default $ALIGNLAB_DB or .alignlab/lab.db)')
    .action(
      async (
        id: string | undefined,
        flags: SeedFlags & {
          config?: string;
          set: string[];
          sweep?: string;
          quick?: boolean;
          workers?: string;
          resume?: boolean;
          queue?: string;
          db?: string;
        },
      ) => {
        const queue = flags.queue === undefined ? undefined : parseQueueUrl(flags.queue);
        if (flags.resume) {
          const store = openStore(flags.db);
          try {
            const records = store.listRuns({ status: 'interrupted', experiment: id });
            if (records.length === 0) {
              io.out('no interrupted runs to resume\n');
              return;
            }
            const outcomes = await rerun(io, store, records, flags.workers, queue);
            if (exitCodeOf(outcomes) !== 0) throw new ExitCode(exitCodeOf(outcomes));
          } finally {
            store.close();
          }
          return;
        }
        if (!id)
          throw new UserInputError(
            `name an experiment (${choicesHint(defaultRegistry.ids())}) or pass --resume`,
          );
        const experiment = defaultRegistry.get(id);
        const raw = mergeConfigSources(experiment, {
          quick: flags.quick,
          file: flags.config,
          sets: flags.set,
        });
        const sweep = flags.sweep ? parseSweep(flags.sweep) : undefined;
        const seeds = seedList(flags, 1);
        const runs = seeds.length * (sweep?.values.length ?? 1);
        const store = openStore(flags.db);
        try {
          const outcome = await interruptible(io, interruptNotice, (signal) =>
            runPlan(
              { experiment, raw, seeds, sweep, command: `run ${id} ${JSON.stringify(flags)}` },
              {
                store,
                workers: workerCount(flags.workers, runs),
                reporter: reporterFor(io, runs),
                signal,
                queue,
              },
            ),
          );
          printOutcomes(io, outcome.outcomes);
          io.out(`batch ${outcome.batch} in ${store.path}; report: alignlab report ${id}\n`);
          const code = exitCodeOf(outcome.outcomes);
          if (code !== 0) throw new ExitCode(code);
        } finally {
          store.close();
        }
      },
    );
}

async function rerun(
  io: CliIo,
  store: LabStore,
  records: RunRecord[],
  workers?: string,
  queue?: QueueTarget,
): Promise<JobOutcome[]> {
  const outcomes = await interruptible(io, interruptNotice, (signal) =>
    rerunRuns(records, defaultRegistry, {
      store,
      workers: workerCount(workers, records.length),
      reporter: reporterFor(io, records.length),
      signal,
      queue,
    }),
  );
  printOutcomes(io, outcomes);
  return outcomes;
}

function runsCommand(program: Command, io: CliIo): void {
  const runs = program.command('runs').description('list, show, export and rerun stored runs');
  const dbOption = (c: Command) =>
    c.option('--db <file>', 'store file (default $ALIGNLAB_DB or .alignlab/lab.db)');
  const statusOf = (text?: string): RunStatus | undefined => {
    if (text === undefined) return undefined;
    if (!RUN_STATUSES.includes(text as RunStatus)) {
      throw new UserInputError(`unknown status '${text}' (${choicesHint(RUN_STATUSES)})`, '--status');
    }
    return text as RunStatus;
  };
  const idOf = (text: string) => parseInteger(text, 'run id', 1, Number.MAX_SAFE_INTEGER);

  dbOption(
    runs
      .command('list')
      .description('runs, newest last')
      .option('--experiment <id>', 'only this experiment')
      .option('--status <status>', `only this status (${RUN_STATUSES.join(', ')})`)
      .option('--limit <n>', 'the newest n runs', '50')
      .option('--json', 'print JSON'),
  ).action((flags: { experiment?: string; status?: string; limit: string; json?: boolean; db?: string }) => {
    const store = openStore(flags.db, 'read');
    try {
      const records = store.listRuns({
        experiment: flags.experiment,
        status: statusOf(flags.status),
        limit: parseInteger(flags.limit, '--limit', 1, 1e9),
      });
      if (flags.json) {
        io.out(`${JSON.stringify(records.map(runRow), null, 2)}\n`);
        return;
      }
      io.out(
        textTable(
          [
            'id',
            'batch',
            'experiment',
            'seed',
            'sweep',
            'status',
            'specified',
            'intended',
            'gap',
            'finished',
          ],
          records.map((r) => [
            String(r.id),
            String(r.batch),
            r.experiment,
            String(r.seed),
            r.sweepParam ? `${r.sweepParam}=${r.sweepValue}` : '-',
            r.status,
            formatNumber(r.result?.specified),
            formatNumber(r.result?.intended),
            formatNumber(r.result ? alignmentGap(r.result) : undefined),
            r.finishedAt ?? '-',
          ]),
        ),
      );
    } finally {
      store.close();
    }
  });

  dbOption(
    runs
      .command('show <id>')
      .description('one run: config, result, metrics, artifacts')
      .option('--json', 'print JSON'),
  ).action((text: string, flags: { json?: boolean; db?: string }) => {
    const store = openStore(flags.db, 'read');
    try {
      const run = store.requireRun(idOf(text));
      const metrics = store.metrics(run.id);
      const byName = new Map<string, { count: number; last: number; lastStep: number }>();
      for (const m of metrics) {
        const entry = byName.get(m.name) ?? { count: 0, last: Number.NaN, lastStep: -Infinity };
        entry.count += 1;
        if (m.step >= entry.lastStep) {
          entry.lastStep = m.step;
          entry.last = m.value;
        }
        byName.set(m.name, entry);
      }
      const artifacts = store.artifacts(run.id).map((a) => ({ name: a.name, bytes: a.data.length }));
      if (flags.json) {
        io.out(
          `${JSON.stringify({ ...runRow(run), metrics: Object.fromEntries(byName), artifacts }, null, 2)}\n`,
        );
        return;
      }
      const row = runRow(run);
      for (const [key, value] of Object.entries(row)) {
        if (key === 'config' || key === 'summary') continue;
        io.out(`${key.padEnd(14)}${value === null ? '-' : String(value)}\n`);
      }
      io.out(`config        ${JSON.stringify(run.config)}\n`);
      if (run.result?.summary) io.out(`summary       ${JSON.stringify(run.result.summary)}\n`);
      io.out(
        `\n${textTable(
          ['metric', 'points', 'last step', 'last value'],
          [...byName].map(([name, e]) => [
            name,
            String(e.count),
            String(e.lastStep),
            formatNumber(e.last, 4),
          ]),
        )}`,
      );
      if (artifacts.length)
        io.out(`artifacts: ${artifacts.map((a) => `${a.name} (${a.bytes} B)`).join(', ')}\n`);
    } finally {
      store.close();
    }
  });

  dbOption(
    runs
      .command('export')
      .description('runs (or their metrics with --metrics) as CSV or JSON lines')
      .option('--format <format>', 'csv or jsonl', 'csv')
      .option('--experiment <id>', 'only this experiment')
      .option('--status <status>', 'only this status')
      .option('--metrics', 'export metric rows (run, step, name, value) instead of runs')
      .option('--out <file>', 'write to a file instead of stdout'),
  ).action(
    (flags: {
      format: string;
      experiment?: string;
      status?: string;
      metrics?: boolean;
      out?: string;
      db?: string;
    }) => {
      if (flags.format !== 'csv' && flags.format !== 'jsonl') {
        throw new UserInputError(
          `unknown format '${flags.format}' (${choicesHint(['csv', 'jsonl'])})`,
          '--format',
        );
      }
      const out = flags.out === undefined ? undefined : checkOutputFile(flags.out);
      const store = openStore(flags.db, 'read');
      try {
        const records = store.listRuns({ experiment: flags.experiment, status: statusOf(flags.status) });
        const rows: Record<string, unknown>[] = flags.metrics
          ? records.flatMap((r) =>
              store.metrics(r.id).map((m) => ({ run: r.id, step: m.step, name: m.name, value: m.value })),
            )
          : records.map(runRow);
        let text: string;
        if (flags.format === 'jsonl') {
          text = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
        } else {
          const header = flags.metrics
            ? ['run', 'step', 'name', 'value']
            : Object.keys(runRow(records[0] ?? ({} as RunRecord)));
          text =
            [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\n') +
            '\n';
        }
        if (out) writeOutputFile(out, text);
        else io.out(text);
      } finally {
        store.close();
      }
    },
  );

  dbOption(
    runs
      .command('rerun <ids...>')
      .description('rerun runs under their ids with their stored config and seed (metrics cleared first)')
      .option('--workers <n>', 'worker threads (0 = in-process)')
      .option('--force', "rerun even runs still marked running (e.g. when a dead process's pid was reused)"),
  ).action(async (texts: string[], flags: { workers?: string; force?: boolean; db?: string }) => {
    const store = openStore(flags.db, 'existing');
    try {
      const records = texts.map((t) => store.requireRun(idOf(t)));
      const running = records.filter((r) => r.status === 'running' || r.status === 'queued');
      if (running.length > 0 && !flags.force) {
        throw new UserInputError(
          `run ${running[0].id} is still ${running[0].status} in process ${running[0].pid} on ${running[0].host} (--force to rerun anyway)`,
        );
      }
      const code = exitCodeOf(await rerun(io, store, records, flags.workers));
      if (code !== 0) throw new ExitCode(code);
    } finally {
      store.close();
    }
  });
}

function reportCommand(program: Command, io: CliIo): void {
  program
    .command('report <target>')
    .description('write Markdown + SVG/PNG plots for a run id or an experiment (its latest batch)')
    .option('--batch <n>', 'the batch to report (default: the latest with a finished run)')
    .option('--out <dir>', 'output folder (default reports/<experiment>/)')
    .option('--db <file>', 'store file (default $ALIGNLAB_DB or .alignlab/lab.db)')
    .action((target: string, flags: { batch?: string; out?: string; db?: string }) => {
      if (flags.out !== undefined) checkOutputFolder(flags.out);
      const store = openStore(flags.db, 'read');
      try {
        const written = /^\d+$/.test(target)
          ? writeReport(store, defaultRegistry, { run: Number(target) }, flags.out)
          : writeReport(
              store,
              defaultRegistry,
              {
                experiment: target,
                batch: flags.batch === undefined ? undefined : parseInteger(flags.batch, '--batch', 1, 1e12),
              },
              flags.out,
            );
        io.out(`${written.files.join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}

function experimentsCommand(program: Command, io: CliIo): void {
  program
    .command('experiments')
    .description('the registered experiments and their claims')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      const list = defaultRegistry.list().map((e) => ({
        id: e.id,
        title: e.title,
        claim: e.claim,
        power: e.power ? `${e.power.param} (${e.power.label}): ${e.power.values.join(', ')}` : null,
      }));
      if (flags.json) io.out(`${JSON.stringify(list, null, 2)}\n`);
      else
        io.out(
          textTable(
            ['id', 'power', 'claim'],
            list.map((e) => [e.id, e.power ?? '-', e.claim]),
          ),
        );
    });
}

function benchCommand(program: Command, io: CliIo): void {
  // Other areas add their own `bench` subcommands: share the parent command.
  const bench =
    program.commands.find((c) => c.name() === 'bench') ??
    program.command('bench').description('throughput benchmarks');
  bench
    .command('lab')
    .description('metrics write throughput and worker-pool speedup (proxy-bandit runs)')
    .option('--rows <n>', 'metric rows for the store benchmark', '1000000')
    .option('--seeds <n>', 'runs for the pool speedup', '4')
    .option('--workers <n>', 'workers to compare against 1', '2')
    .option('--pulls <n>', 'pulls per proxy-bandit run in the pool speedup', '20000000')
    .option('--json', 'print JSON')
    .action(
      async (flags: { rows: string; seeds: string; workers: string; pulls: string; json?: boolean }) => {
        if (!poolAvailable())
          throw new UserInputError(
            'bench lab measures the worker pool: run it from the build (npm run build)',
          );
        const experiment = defaultRegistry.get('proxy-bandit');
        const rows: LabBenchRow[] = [metricsWriteThroughput(parseInteger(flags.rows, '--rows', 1, 1e9))];
        rows.push(
          await pooledMetricsThroughput(experiment, { arms: 2, pulls: 500_000, checkpoints: 500_000 }),
        );
        rows.push(
          ...(await poolSpeedup(
            experiment,
            { pulls: parseInteger(flags.pulls, '--pulls', 1, 1e10), checkpoints: 10 },
            parseInteger(flags.seeds, '--seeds', 1, 1000),
            parseInteger(flags.workers, '--workers', 1, 256),
          )),
        );
        if (flags.json) {
          io.out(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        io.out(
          textTable(
            ['benchmark', 'value', 'unit', 'detail'],
            rows.map((r) => [
              r.name,
              r.value >= 100 ? Math.round(r.value).toLocaleString('en') : r.value.toFixed(2),
              r.unit,
              r.detail,
            ]),
          ),
        );
      },
    );
}

export function registerLabCommands(program: Command, io: CliIo): void {
  benchCommand(program, io);
  experimentsCommand(program, io);
  runCommand(program, io);
  runsCommand(program, io);
  reportCommand(program, io);
}
