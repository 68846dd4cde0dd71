/** `alignlab runs list|show|export|rerun`: the stored runs. */
import type { Command } from 'commander';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { formatNumber } from '../../lab/report.js';
import { RUN_STATUSES, type RunRecord, type RunStatus } from '../../lab/store.js';
import { alignmentGap } from '../../lab/summary.js';
import { ExitCode } from '../exit-code.js';
import { oneOf, parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { DB_HELP, exitCodeOf, openStore, rerun } from '../lab-runs.js';
import { claimDataOutput, writeDataOutput } from '../out-path.js';
import { textTable } from '../text-table.js';

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

export function registerRunsCommands(program: Command, io: CliIo): void {
  const runs = program.command('runs').description('list, show, export and rerun stored runs');
  const dbOption = (c: Command) => c.option('--db <file>', DB_HELP);
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
      .option('--out <dir>', 'write runs.<format> (or metrics.<format>) into this folder instead of stdout')
      .option(
        '--force',
        'write into a --out folder that holds other files (kept; same-named ones are replaced)',
      ),
  ).action(
    (flags: {
      format: string;
      experiment?: string;
      status?: string;
      metrics?: boolean;
      out?: string;
      force?: boolean;
      db?: string;
    }) => {
      const format = oneOf(flags.format, ['csv', 'jsonl'] as const, '--format', 'format');
      const name = `${flags.metrics ? 'metrics' : 'runs'}.${format}`;
      const out =
        flags.out === undefined
          ? undefined
          : claimDataOutput(flags.out, name, 'runs export', (t) => io.err(t), { force: flags.force });
      const store = openStore(flags.db, 'read');
      try {
        const records = store.listRuns({ experiment: flags.experiment, status: statusOf(flags.status) });
        const rows: Record<string, unknown>[] = flags.metrics
          ? records.flatMap((r) =>
              store.metrics(r.id).map((m) => ({ run: r.id, step: m.step, name: m.name, value: m.value })),
            )
          : records.map(runRow);
        let text: string;
        if (format === 'jsonl') {
          text = rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
        } else {
          const header = flags.metrics
            ? ['run', 'step', 'name', 'value']
            : Object.keys(runRow(records[0] ?? ({} as RunRecord)));
          text =
            [header.join(','), ...rows.map((r) => header.map((h) => csvCell(r[h])).join(','))].join('\n') +
            '\n';
        }
        if (out) {
          writeDataOutput(out, 'runs export', text);
          io.err(`wrote ${out.shown}\n`);
        } else io.out(text);
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
      .option('--force', "rerun even runs still marked running (e.g. when a dead process's pid was reused)")
      .option('--json', 'print the outcomes as JSON'),
  ).action(
    async (texts: string[], flags: { workers?: string; force?: boolean; db?: string; json?: boolean }) => {
      const store = openStore(flags.db, 'existing');
      try {
        const records = texts.map((t) => store.requireRun(idOf(t)));
        const running = records.filter((r) => r.status === 'running' || r.status === 'queued');
        if (running.length > 0 && !flags.force) {
          throw new UserInputError(
            `run ${running[0].id} is still ${running[0].status} in process ${running[0].pid} on ${running[0].host} (--force to rerun anyway)`,
          );
        }
        const code = exitCodeOf(
          await rerun(io, store, records, { workers: flags.workers, json: flags.json }),
        );
        if (code !== 0) throw new ExitCode(code);
      } finally {
        store.close();
      }
    },
  );
}
