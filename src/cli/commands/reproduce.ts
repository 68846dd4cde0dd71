/**
 * `alignlab reproduce [ids...]`: every requested reproduction's main arm and control arms on
 * the same seeds (one pool for all of them), judged per seed with bootstrap intervals, then a
 * verdict per reproduction and a report each. Exit 0 only when every reproduction holds.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { defaultRegistry } from '../../experiments/registry.js';
import { mergeConfigSources } from '../../lab/config.js';
import type { Evidence } from '../../lab/evidence.js';
import { reporterFor } from '../../lab/progress.js';
import { parseQueueUrl } from '../../lab/queue.js';
import { DEFAULT_REPORT_ROOT, formatInterval, formatNumber, writeReport } from '../../lab/report.js';
import {
  evidenceFromStore,
  type ReproductionBatches,
  reproductionSweep,
  runReproductions,
} from '../../lab/reproduce.js';
import { createWorkerPool } from '../../lab/runner.js';
import { alignmentGap } from '../../lab/summary.js';
import { ExitCode } from '../exit-code.js';
import { collect, type SeedFlags, seedList } from '../flags.js';
import { interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { DB_HELP, exitCodeOf, interruptNotice, openStore, workerCount } from '../lab-runs.js';
import { textTable } from '../text-table.js';

interface ReproduceFlags extends SeedFlags {
  quick?: boolean;
  all?: boolean;
  workers?: string;
  json?: boolean;
  out?: string;
  db?: string;
  queue?: string;
  set: string[];
}

interface Reproduction {
  id: string;
  claim: string;
  evidence: Evidence;
  report: string;
}

/** The `--json` shape of one reproduction (documented in the README, "How we check a claim"). */
function reproductionJson(r: Reproduction) {
  const e = r.evidence;
  return {
    id: r.id,
    claim: r.claim,
    verdict: e.verdict,
    reasons: e.reasons,
    specified: e.result.specified,
    intended: e.result.intended,
    gap: alignmentGap(e.result) ?? null,
    gates: e.gates,
    checks: e.checks.map((c) => ({
      name: c.name,
      value: c.value,
      expected: c.expected,
      passed: c.passed,
      seeds: c.seeds,
      seedsPassed: c.seedsPassed,
      ci: c.ci,
      controls: c.controls,
      informative: c.informative,
      perSeed: c.perSeed,
    })),
    controls: e.controls.map((c) => ({
      name: c.name,
      why: c.why,
      runs: c.runs,
      planned: c.planned,
      specified: c.result.specified,
      intended: c.result.intended,
    })),
    report: r.report || null,
  };
}

function printTables(io: CliIo, results: readonly Reproduction[]): void {
  io.out(
    textTable(
      ['experiment', 'verdict', 'checks', 'gates', 'specified', 'intended', 'gap'],
      results.map((r) => {
        const e = r.evidence;
        const passed = e.checks.filter((c) => c.passed).length;
        const gates = e.gates.filter((g) => g.passed).length;
        return [
          r.id,
          e.verdict,
          `${passed}/${e.checks.length}`,
          e.gates.length ? `${gates}/${e.gates.length}` : '-',
          formatNumber(e.result.specified),
          formatNumber(e.result.intended),
          formatNumber(alignmentGap(e.result)),
        ];
      }),
    ),
  );
  io.out('\n');
  io.out(
    textTable(
      ['experiment', 'check', 'value', '95% CI', 'expected', 'seeds', 'controls', 'result'],
      results.flatMap((r) =>
        r.evidence.checks.map((c) => [
          r.id,
          c.name.length > 48 ? `${c.name.slice(0, 47)}…` : c.name,
          formatNumber(c.value),
          formatInterval(c.ci),
          c.expected,
          `${c.seedsPassed}/${c.seeds}`,
          c.controls.map((k) => `${k.name} ${k.passed ? 'pass' : 'fail'}`).join(', ') || '-',
          `${c.passed ? 'pass' : 'FAIL'}${c.informative ? '' : ' uninformative'}`,
        ]),
      ),
    ),
  );
  for (const r of results.filter((x) => x.evidence.verdict !== 'holds')) {
    for (const reason of r.evidence.reasons) io.out(`${r.id}: ${reason}\n`);
  }
  const holding = results.filter((r) => r.evidence.verdict === 'holds').length;
  io.out(`${holding} of ${results.length} reproduction(s) hold\n`);
  const reports = results.filter((r) => r.report).map((r) => r.report);
  if (reports.length) io.out(`reports: ${reports.join(', ')}\n`);
}

export function registerReproduceCommand(program: Command, io: CliIo): void {
  program
    .command('reproduce [ids...]')
    .description(
      'run named reproductions (all by default) with their control arms on the same seeds; judge each claim per seed with 95% bootstrap intervals and write a report',
    )
    .option('--quick', 'quick configs (seconds each)')
    .option('--all', 'without ids: also the extended reproductions (costly even in quick mode)')
    .option('--seeds <n>', 'seeds per point', '3')
    .option('--first-seed <s>', 'first seed (seeds are s, s+1, ...)')
    .option('--set <key=value>', 'config override for every arm (repeatable)', collect, [])
    .option('--workers <n>', 'worker threads (0 = in-process)')
    .option('--queue <url>', 'run on `alignlab worker` processes through Redis (redis://HOST:PORT)')
    .option(
      '--json',
      'print a JSON list: {id, claim, verdict, reasons, gates, checks[{seeds, seedsPassed, ci, controls}], controls}',
    )
    .option('--out <dir>', 'report root (default reports/)')
    .option('--db <file>', DB_HELP)
    .action(async (ids: string[], flags: ReproduceFlags) => {
      const experiments = ids.length
        ? ids.map((id) => defaultRegistry.get(id))
        : defaultRegistry.list().filter((e) => flags.all || !e.extended);
      const left = ids.length || flags.all ? [] : defaultRegistry.list().filter((e) => e.extended);
      if (left.length && !flags.json) {
        io.err(`not in the default suite (run by id, or --all): ${left.map((e) => e.id).join(', ')}\n`);
      }
      const seeds = seedList(flags, 3);
      const queue = flags.queue === undefined ? undefined : parseQueueUrl(flags.queue);
      const plans = experiments.map((experiment) => ({
        experiment,
        mainRaw: mergeConfigSources(experiment, { quick: flags.quick, sets: flags.set }),
      }));
      const store = openStore(flags.db);
      const results: Reproduction[] = [];
      let interrupted = false;
      let runFailures = 0;
      try {
        const mainRuns = plans.reduce(
          (n, p) => n + seeds.length * (reproductionSweep(p.experiment, flags.quick)?.values.length ?? 1),
          0,
        );
        const workers = queue ? 0 : workerCount(flags.workers, Math.min(mainRuns, availableParallelism()));
        const pool = workers > 0 ? createWorkerPool(workers) : undefined;
        let batches: ReproductionBatches[] = [];
        try {
          const done = await interruptible(io, interruptNotice, (signal) =>
            runReproductions(
              plans,
              { quick: flags.quick, seeds },
              {
                store,
                workers,
                pool,
                reporter: (phase, runs) => {
                  io.err(`${phase}: ${runs} run(s)\n`);
                  return reporterFor(io, runs);
                },
                signal,
                queue,
              },
            ),
          );
          batches = done.batches;
          const code = exitCodeOf(done.outcomes);
          interrupted = code === 130;
          runFailures = done.outcomes.filter((o) => o.status === 'failed').length;
        } finally {
          await pool?.destroy().catch(() => {});
        }
        for (const { experiment, mainBatch } of batches) {
          const evidence = evidenceFromStore(store, experiment, mainBatch);
          const report = interrupted
            ? ''
            : writeReport(
                store,
                defaultRegistry,
                { experiment: experiment.id, batch: mainBatch },
                join(flags.out ?? DEFAULT_REPORT_ROOT, experiment.id),
              ).markdown;
          results.push({ id: experiment.id, claim: experiment.claim, evidence, report });
        }
      } finally {
        store.close();
      }
      if (flags.json) io.out(`${JSON.stringify(results.map(reproductionJson), null, 2)}\n`);
      else {
        if (runFailures > 0)
          io.out(`${runFailures} run(s) failed (see \`alignlab runs list --status failed\`)\n`);
        printTables(io, results);
      }
      const code = interrupted ? 130 : results.every((r) => r.evidence.verdict === 'holds') ? 0 : 1;
      if (code !== 0) throw new ExitCode(code);
    });
}
