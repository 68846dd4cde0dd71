/**
 * `alignlab eval`: run an eval task on a model (`run`), a YAML set of tasks × models (`run-set`,
 * resumable), list the logged runs (`list`), compare two (`diff`), and browse them (`view`, a
 * loopback HTML viewer). Exit codes: 0 done, 100 when --fail-under is not met, 3 when more
 * samples errored than --max-errors allows, 2 for bad input.
 */
import { dirname, join, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { wilsonInterval } from '../../evals/proportions.js';
import { type EvalLog, findLog, listLogs, writeLog } from '../../harness/log.js';
import { type ModelSpec, openEvalModel } from '../../harness/models.js';
import { newRunId, runEval } from '../../harness/run.js';
import { parseRunSet } from '../../harness/run-set.js';
import { changedSamples, comparePaired, type ScoreSummary } from '../../harness/stats.js';
import { builtinTasks, resolveTask, type TaskSpec } from '../../harness/tasks/index.js';
import { withTransport } from '../../harness/transport.js';
import type { EvalModel } from '../../harness/types.js';
import { startViewer } from '../../harness/viewer.js';
import { resolveDbPath } from '../../lab/store.js';
import { cacheRoot } from '../../lm/base-model.js';
import { ExitCode } from '../exit-code.js';
import { oneOf, parseInteger, parseNumber, readText } from '../flags.js';
import type { CliIo } from '../io.js';

/** Exit code when more samples errored than --max-errors allows (distinct from 1, 2 and 100). */
export const EXIT_TOO_MANY_ERRORS = 3;
/** Exit code when the primary score is below --fail-under. */
export const EXIT_FAIL_UNDER = 100;

interface TransportFlags {
  cache: boolean;
  cacheDir?: string;
  cacheTtl: string;
  concurrency: string;
  retries: string;
  timeout: string;
  retryDelay: string;
  logDir?: string;
  db?: string;
  maxErrors: string;
}

interface ModelFlags {
  model: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  api?: string;
  grader?: string;
}

interface RunFlags extends TransportFlags, ModelFlags {
  limit?: string;
  epochs: string;
  temperature: string;
  maxTokens?: string;
  seed: string;
  style?: string;
  behavior?: string;
  inputField?: string;
  targetField?: string;
  idField?: string;
  choicesField?: string;
  solver?: string;
  scorer?: string;
  system?: string;
  items?: string;
  failUnder?: string;
  json?: boolean;
}

function addTransportOptions(cmd: Command): Command {
  return cmd
    .option('--no-cache', 'ignore and do not write the request cache')
    .option('--cache-dir <dir>', 'request cache folder (default: <alignlab cache>/eval-requests)')
    .option('--cache-ttl <seconds>', 'cache entries older than this are refetched', '604800')
    .option('--concurrency <n>', 'model calls in flight per provider', '10')
    .option('--retries <n>', 'retries of a call on 429, 5xx, time-out or dropped connection', '5')
    .option('--retry-delay <ms>', 'first back-off (doubles each retry, capped at 30 s)', '500')
    .option('--timeout <seconds>', 'a call taking longer is abandoned and retried', '60')
    .option(
      '--max-errors <n>',
      `samples allowed to error after their retries (more: exit ${EXIT_TOO_MANY_ERRORS})`,
      '0',
    )
    .option('--log-dir <dir>', 'where eval logs go (default: <store folder>/evals, beside --db)')
    .option(
      '--db <path>',
      'the lab store whose folder holds the logs (default: $ALIGNLAB_DB or .alignlab/lab.db)',
    );
}

function logDirOf(flags: TransportFlags): string {
  return resolve(flags.logDir ?? join(dirname(resolveDbPath(flags.db)), 'evals'));
}

function transportOf(flags: TransportFlags) {
  const timeoutMs = 1000 * parseNumber(flags.timeout, '--timeout', 0.001, 86_400);
  return {
    concurrency: parseInteger(flags.concurrency, '--concurrency', 1, 1000),
    retry: {
      retries: parseInteger(flags.retries, '--retries', 0, 100),
      baseDelayMs: parseInteger(flags.retryDelay, '--retry-delay', 0, 600_000),
      timeoutMs,
    },
    cache: flags.cache
      ? {
          dir: resolve(flags.cacheDir ?? join(cacheRoot(), 'eval-requests')),
          ttlSeconds: parseNumber(flags.cacheTtl, '--cache-ttl', 0),
        }
      : undefined,
  };
}

async function openModel(spec: ModelSpec, flags: TransportFlags): Promise<EvalModel> {
  const raw = await openEvalModel(spec);
  return withTransport(raw, transportOf(flags));
}

function modelSpecOf(flags: ModelFlags): ModelSpec {
  return {
    model: flags.model,
    baseURL: flags.baseUrl,
    apiKeyEnv: flags.apiKeyEnv,
    api: flags.api === undefined ? undefined : oneOf(flags.api, ['completions', 'chat'] as const, '--api'),
  };
}

/** A progress bar with an ETA on a terminal; a line per quarter otherwise (stderr, so --json stays clean). */
function progressFor(io: CliIo, label: string): { update(done: number, total: number): void; stop(): void } {
  if (io.isTTY && process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: ` ${label} {bar} {value}/{total} samples | ETA {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(done, total) {
        if (!started) {
          bar.start(total, done);
          started = true;
        } else bar.update(done);
      },
      stop: () => bar.stop(),
    };
  }
  let quarter = -1;
  const t0 = Date.now();
  return {
    update(done, total) {
      const q = total ? Math.floor((4 * done) / total) : 4;
      if (q <= quarter) return;
      quarter = q;
      const elapsed = (Date.now() - t0) / 1000;
      const eta = done > 0 && done < total ? `, ETA ${Math.round((elapsed * (total - done)) / done)} s` : '';
      io.err(`${label}: ${done}/${total} samples${eta}\n`);
    },
    stop() {},
  };
}

const fmt = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(digits);

function scoreLine(s: ScoreSummary): string {
  const dir = s.higherIsBetter ? '↑' : '↓';
  return `  ${s.name.padEnd(22)} ${dir} ${fmt(s.mean)} ± ${fmt(s.se)} (95% CI ${s.ci ? `${fmt(s.ci.lo)}–${fmt(s.ci.hi)}` : '–'}, ${s.items} items)`;
}

/** Per item: each scorer's mean over epochs, its epoch values, and (binary) a Wilson interval over epochs. */
function perItem(log: EvalLog) {
  return (log.summary?.items ?? []).map((item) => {
    const samples = log.samples.filter((s) => s.id === item.id);
    const scores: Record<
      string,
      { mean: number | null; epochs: (number | null)[]; ci: [number, number] | null }
    > = {};
    for (const scorer of log.task.scorers) {
      const values = samples.map((s) =>
        s.status === 'scored' ? (s.scores[scorer.name]?.value ?? null) : null,
      );
      const present = values.filter((v): v is number => v !== null);
      scores[scorer.name] = {
        mean: item.scores[scorer.name],
        epochs: values,
        ci: scorer.binary ? wilsonInterval(present.filter((v) => v === 1).length, present.length) : null,
      };
    }
    return { id: item.id, errors: item.errors, scores };
  });
}

interface Outcome {
  exitCode: number;
  reasons: string[];
}

function judge(log: EvalLog, maxErrors: number, failUnder?: number): Outcome {
  const reasons: string[] = [];
  const errored = log.summary?.counts.errored ?? 0;
  let exitCode = 0;
  if (failUnder !== undefined) {
    const primary = log.summary?.scores[0];
    const value = primary?.mean ?? Number.NaN;
    const met = primary ? (primary.higherIsBetter ? value >= failUnder : value <= failUnder) : false;
    if (!met) {
      exitCode = EXIT_FAIL_UNDER;
      reasons.push(
        `${primary?.name ?? 'primary score'} = ${fmt(value)} ${primary?.higherIsBetter === false ? 'above' : 'below'} --fail-under ${failUnder}`,
      );
    }
  }
  if (errored > maxErrors) {
    exitCode = EXIT_TOO_MANY_ERRORS;
    reasons.push(`${errored} samples errored after their retries (--max-errors ${maxErrors})`);
  }
  return { exitCode, reasons };
}

function printSummary(io: CliIo, log: EvalLog, path: string, outcome: Outcome): void {
  const c = log.summary?.counts;
  io.out(
    `${log.task.name} on ${log.model.id}: ${log.config.epochs} epoch(s), temperature ${log.config.temperature}\n`,
  );
  if (c)
    io.out(
      `  samples ${c.total}: passed ${c.passed}, failed ${c.failed}, not applicable ${c.notApplicable}, errored ${c.errored}` +
        ` (retried ${c.retried}; calls ${c.calls}, cached ${c.cachedCalls})\n`,
    );
  for (const s of log.summary?.scores ?? []) io.out(`${scoreLine(s)}\n`);
  for (const g of log.summary?.gates ?? [])
    io.out(`  gate ${g.scorer} >= ${g.min}: ${fmt(g.value)} ${g.met ? 'met' : 'NOT met'} (${g.why})\n`);
  if (log.summary) io.out(`  verdict: ${log.summary.verdict}\n`);
  for (const [k, v] of Object.entries(log.summary?.metrics ?? {})) io.out(`  ${k.padEnd(24)} ${fmt(v)}\n`);
  io.out(`  log: ${path}\n`);
  for (const r of outcome.reasons) io.err(`alignlab eval: ${r}\n`);
}

function jsonOf(log: EvalLog, path: string, outcome: Outcome) {
  return {
    runId: log.runId,
    log: path,
    task: log.task.name,
    model: log.model,
    config: log.config,
    verdict: log.summary?.verdict,
    gates: log.summary?.gates,
    counts: log.summary?.counts,
    scores: log.summary?.scores,
    metrics: log.summary?.metrics,
    items: perItem(log),
    exitCode: outcome.exitCode,
    reasons: outcome.reasons,
  };
}

function taskSpecOf(name: string, flags: RunFlags): TaskSpec {
  return {
    name,
    style: flags.style === undefined ? undefined : oneOf(flags.style, ['corpus', 'chat'] as const, '--style'),
    items: flags.items === undefined ? undefined : parseInteger(flags.items, '--items', 1, 1_000_000),
    behavior:
      flags.behavior === undefined
        ? undefined
        : oneOf(flags.behavior, ['good', 'bad'] as const, '--behavior'),
    inputField: flags.inputField,
    targetField: flags.targetField,
    idField: flags.idField,
    choicesField: flags.choicesField,
    solver: flags.solver,
    scorer: flags.scorer,
    system: flags.system,
  };
}

function transportRecord(flags: TransportFlags) {
  const t = transportOf(flags);
  return {
    cache: t.cache !== undefined,
    concurrency: t.concurrency,
    retries: t.retry.retries,
    timeoutMs: t.retry.timeoutMs,
  };
}

export function registerEvalCommands(
  program: Command,
  io: CliIo,
  hooks: { corrigibility?: (evalCommand: Command, io: CliIo) => void } = {},
): void {
  const group = program
    .command('eval')
    .description(
      'evaluate a model on a task (dataset + solver + scorers): logs, intervals, paired diffs, a viewer',
    );

  addTransportOptions(
    group
      .command('run <task>')
      .description(`run a task on a model: ${builtinTasks.map((t) => t.name).join(', ')}`)
      .requiredOption(
        '--model <model>',
        "a checkpoint folder, 'arithmetic-base', or a remote model's name (with --base-url)",
      )
      .option('--base-url <url>', 'an OpenAI-compatible endpoint (key from $OPENAI_API_KEY or --api-key-env)')
      .option('--api-key-env <name>', 'the environment variable holding the API key', 'OPENAI_API_KEY')
      .option('--api <api>', 'completions or chat (remote models)', 'completions')
      .option('--grader <model>', 'a grader model for model-graded scorers (same endpoint flags)')
      .option('--limit <n>', 'first N samples only')
      .option('--epochs <k>', 'samples per item (mean ± SE and CIs over items)', '1')
      .option('--temperature <t>', 'sampling temperature (0 = greedy)', '0')
      .option('--max-tokens <n>', "most new tokens per call (default: the task's)")
      .option('--seed <n>', 'run seed (each sample and epoch derives its own)', '0')
      .option('--style <style>', 'arithmetic tasks: corpus (checkpoint format) or chat (English)')
      .option('--items <n>', 'arithmetic tasks: items from the test split (default 100)')
      .option(
        '--behavior <good|bad>',
        "mwe: tasks: is matching the file's behaviour good or bad (default bad)",
      )
      .option('--input-field <f>', 'file: tasks: the field holding the prompt')
      .option('--target-field <f>', 'file: tasks: the field holding the target')
      .option('--id-field <f>', 'file: tasks: the field holding an id')
      .option('--choices-field <f>', 'file: tasks: the field holding choices (array or a|b|c)')
      .option(
        '--solver <s>',
        'file: tasks: generate, cot, multiple-choice, self-critique, self-consistency:N',
      )
      .option('--scorer <s>', 'file: tasks: exact, includes, choice, numeric:TOL, regex:PATTERN')
      .option('--system <text>', 'file: tasks: a system message first')
      .option('--fail-under <x>', `exit ${EXIT_FAIL_UNDER} when the primary score is worse than x`)
      .option('--json', 'print the summary, per-item scores and intervals as JSON'),
  ).action(async (taskName: string, flags: RunFlags) => {
    const task = resolveTask(taskSpecOf(taskName, flags));
    const maxErrors = parseInteger(flags.maxErrors, '--max-errors', 0, 1_000_000_000);
    const failUnder =
      flags.failUnder === undefined ? undefined : parseNumber(flags.failUnder, '--fail-under');
    const epochs = parseInteger(flags.epochs, '--epochs', 1, 1000);
    const limit =
      flags.limit === undefined ? undefined : parseInteger(flags.limit, '--limit', 1, 100_000_000);
    const model = await openModel(modelSpecOf(flags), flags);
    const grader = flags.grader
      ? await openModel({ ...modelSpecOf(flags), model: flags.grader }, flags)
      : undefined;
    const dir = logDirOf(flags);
    const runId = newRunId(task.name.split(':')[0], model.id);
    const progress = progressFor(io, `${task.name.split(':')[0]} on ${model.id}`);
    let path = join(dir, `${runId}.json`);
    const log = await runEval(task, model, {
      epochs,
      limit,
      temperature: parseNumber(flags.temperature, '--temperature', 0, 2),
      maxTokens:
        flags.maxTokens === undefined ? undefined : parseInteger(flags.maxTokens, '--max-tokens', 1, 100_000),
      seed: parseInteger(flags.seed, '--seed', 0, 2 ** 31 - 1),
      parallel: transportOf(flags).concurrency,
      runId,
      grader,
      transport: transportRecord(flags),
      onProgress: (d, t) => progress.update(d, t),
      onCheckpoint: (l) => {
        path = writeLog(dir, l);
      },
    });
    progress.stop();
    const outcome = judge(log, maxErrors, failUnder);
    if (flags.json) io.out(`${JSON.stringify(jsonOf(log, path, outcome), null, 1)}\n`);
    else printSummary(io, log, path, outcome);
    if (outcome.exitCode !== 0) throw new ExitCode(outcome.exitCode);
  });

  addTransportOptions(
    group
      .command('run-set <file>')
      .description('run every task of a YAML set on every model; a rerun skips finished pairs and samples')
      .option('--json', 'print each run as a JSON line'),
  ).action(async (file: string, flags: TransportFlags & { json?: boolean }) => {
    const set = parseRunSet(readText(file), file);
    const maxErrors = parseInteger(flags.maxErrors, '--max-errors', 0, 1_000_000_000);
    const dir = logDirOf(flags);
    const existing = new Map(listLogs(dir).map((l) => [l.log.runId, l.log]));
    let worst = 0;
    for (const pair of set.pairs) {
      const previous = existing.get(pair.runId);
      const config = { epochs: pair.epochs, limit: pair.limit, temperature: set.temperature, seed: set.seed };
      const same =
        previous !== undefined &&
        previous.config.epochs === config.epochs &&
        previous.config.limit === config.limit &&
        previous.config.temperature === config.temperature &&
        previous.config.seed === config.seed;
      let log: EvalLog;
      let path = join(dir, `${pair.runId}.json`);
      if (same && previous.status === 'done' && (previous.summary?.counts.errored ?? 0) === 0) {
        log = previous;
        io.err(`${pair.runId}: finished before, skipped\n`);
      } else {
        const task = resolveTask(pair.task);
        const model = await openModel(pair.model, flags);
        const progress = progressFor(io, pair.runId);
        log = await runEval(task, model, {
          ...config,
          maxTokens: set.maxTokens,
          parallel: set.concurrency,
          runId: pair.runId,
          resume: same ? previous : undefined,
          transport: transportRecord(flags),
          onProgress: (d, t) => progress.update(d, t),
          onCheckpoint: (l) => {
            path = writeLog(dir, l);
          },
        });
        progress.stop();
      }
      const outcome = judge(log, maxErrors, pair.failUnder);
      worst = Math.max(worst, outcome.exitCode === EXIT_TOO_MANY_ERRORS ? 1000 : outcome.exitCode);
      if (flags.json) io.out(`${JSON.stringify(jsonOf(log, path, outcome))}\n`);
      else printSummary(io, log, path, outcome);
    }
    if (worst === 1000) throw new ExitCode(EXIT_TOO_MANY_ERRORS);
    if (worst !== 0) throw new ExitCode(worst);
  });

  group
    .command('list')
    .description('list the logged eval runs, newest first')
    .option('--log-dir <dir>', 'where eval logs are (default: <store folder>/evals)')
    .option('--db <path>', 'the lab store whose folder holds the logs')
    .option('--json', 'JSON lines')
    .action((flags: { logDir?: string; db?: string; json?: boolean }) => {
      const dir = resolve(flags.logDir ?? join(dirname(resolveDbPath(flags.db)), 'evals'));
      for (const { log } of listLogs(dir)) {
        const p = log.summary?.scores[0];
        const c = log.summary?.counts;
        if (flags.json)
          io.out(
            `${JSON.stringify({ runId: log.runId, task: log.task.name, model: log.model.id, status: log.status, primary: p, counts: c })}\n`,
          );
        else
          io.out(
            `${log.runId}  ${log.status.padEnd(8)} ${p ? `${p.name} ${fmt(p.mean)}` : '–'}  errored ${c?.errored ?? '–'}\n`,
          );
      }
    });

  group
    .command('diff <a> <b>')
    .description('paired comparison of two runs on the items they share (B − A; McNemar for binary scores)')
    .option('--log-dir <dir>', 'where eval logs are (default: <store folder>/evals)')
    .option('--db <path>', 'the lab store whose folder holds the logs')
    .option('--json', 'print as JSON')
    .action((a: string, b: string, flags: { logDir?: string; db?: string; json?: boolean }) => {
      const dir = resolve(flags.logDir ?? join(dirname(resolveDbPath(flags.db)), 'evals'));
      const A = findLog(dir, a).log;
      const B = findLog(dir, b).log;
      const shared = A.task.scorers.filter((s) => B.task.scorers.some((t) => t.name === s.name));
      if (shared.length === 0)
        throw new UserInputError(`runs ${A.runId} and ${B.runId} share no scorer`, 'eval diff');
      const comparisons = shared.map((s) =>
        comparePaired(A.samples, B.samples, s.name, s.binary, A.config.seed),
      );
      const changed = changedSamples(A.samples, B.samples);
      if (flags.json) {
        io.out(`${JSON.stringify({ a: A.runId, b: B.runId, comparisons, changed }, null, 1)}\n`);
        return;
      }
      io.out(`A ${A.runId} (${A.model.id})\nB ${B.runId} (${B.model.id})\n`);
      for (const c of comparisons) {
        const mc = c.mcnemar
          ? `; McNemar A-only ${c.mcnemar.aOnly}, B-only ${c.mcnemar.bOnly}, p = ${c.mcnemar.pValue.toPrecision(3)}`
          : '';
        io.out(
          `  ${c.scorer.padEnd(22)} A ${fmt(c.meanA)}  B ${fmt(c.meanB)}  B−A ${fmt(c.difference)} (95% CI ${c.ci ? `${fmt(c.ci.lo)}–${fmt(c.ci.hi)}` : '–'}, ${c.items} items${mc})\n`,
        );
      }
      io.out(`  ${changed.length} samples changed outcome\n`);
      for (const c of changed.slice(0, 20))
        io.out(`    ${c.id} epoch ${c.epoch}: ${String(c.a)} → ${String(c.b)}\n`);
    });

  group
    .command('view')
    .description('serve a small HTML viewer of the eval logs on loopback (runs, samples, filters)')
    .option('--log-dir <dir>', 'where eval logs are (default: <store folder>/evals)')
    .option('--db <path>', 'the lab store whose folder holds the logs')
    .option('--port <n>', 'port (0 = any free one)', '8787')
    .action(async (flags: { logDir?: string; db?: string; port: string }) => {
      const dir = resolve(flags.logDir ?? join(dirname(resolveDbPath(flags.db)), 'evals'));
      const viewer = await startViewer(dir, parseInteger(flags.port, '--port', 0, 65535));
      io.out(`eval viewer for ${dir} at ${viewer.url} (loopback only); Ctrl-C stops\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void viewer.close().then(done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  hooks.corrigibility?.(group, io);
}

/**
 * The eval group with `alignlab eval corrigibility` (src/cli/commands/eval-corrigibility.ts)
 * mounted in it; both load only when `eval` is the command.
 */
export async function loadEvalCommands(): Promise<(program: Command, io: CliIo) => void> {
  const { registerCorrigibility } = await import('./eval-corrigibility.js');
  return (program, io) => registerEvalCommands(program, io, { corrigibility: registerCorrigibility });
}
