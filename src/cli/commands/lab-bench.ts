/** `alignlab bench lab`: metrics write throughput and worker-pool speedup. */
import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { defaultRegistry } from '../../experiments/registry.js';
import {
  type LabBenchRow,
  metricsWriteThroughput,
  pooledMetricsThroughput,
  poolSpeedup,
} from '../../lab/bench.js';
import { poolAvailable } from '../../lab/runner.js';
import { benchParent } from '../bench-parent.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

export function registerLabBenchCommand(program: Command, io: CliIo): void {
  const bench = benchParent(program);
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
