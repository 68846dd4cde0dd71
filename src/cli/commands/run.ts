/** `alignlab run [experiment]`: an experiment over seeds (and a sweep) on the worker pool, recorded in the store. */
import type { Command } from 'commander';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { defaultRegistry } from '../../experiments/registry.js';
import type { SweepValue } from '../../experiments/types.js';
import { mergeConfigSources, parseOverride } from '../../lab/config.js';
import { reporterFor } from '../../lab/progress.js';
import { parseQueueUrl } from '../../lab/queue.js';
import { runPlan, type SweepSpec } from '../../lab/runner.js';
import { ExitCode } from '../exit-code.js';
import { collect, type SeedFlags, seedList } from '../flags.js';
import { interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import {
  DB_HELP,
  exitCodeOf,
  interruptNotice,
  openStore,
  printOutcomes,
  rerun,
  workerCount,
} from '../lab-runs.js';

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

export function registerRunCommand(program: Command, io: CliIo): void {
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
    .option('--db <file>', DB_HELP)
    .option(
      '--json',
      'print the outcome as JSON: {batch, store, outcomes[{id, seed, status, result, error}]}',
    )
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
          json?: boolean;
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
            const outcomes = await rerun(io, store, records, {
              workers: flags.workers,
              queue,
              json: flags.json,
            });
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
          if (flags.json) {
            io.out(
              `${JSON.stringify({ batch: outcome.batch, store: store.path, outcomes: outcome.outcomes })}\n`,
            );
          } else {
            printOutcomes(io, outcome.outcomes);
            io.out(`batch ${outcome.batch} in ${store.path}; report: alignlab report ${id}\n`);
          }
          const code = exitCodeOf(outcome.outcomes);
          if (code !== 0) throw new ExitCode(code);
        } finally {
          store.close();
        }
      },
    );
}
