/** `alignlab report <run id | experiment>`: Markdown and plots from the store. */
import type { Command } from 'commander';
import { defaultRegistry } from '../../experiments/registry.js';
import { writeReport } from '../../lab/report.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { DB_HELP, openStore } from '../lab-runs.js';
import { checkOutputFolder } from '../out-path.js';

export function registerReportCommand(program: Command, io: CliIo): void {
  program
    .command('report <target>')
    .description('write Markdown + SVG/PNG plots for a run id or an experiment (its latest batch)')
    .option('--batch <n>', 'the batch to report (default: the latest with a finished run)')
    .option('--out <dir>', 'output folder (default reports/<experiment>/)')
    .option('--db <file>', DB_HELP)
    .option('--json', 'print the written files as JSON')
    .action((target: string, flags: { batch?: string; out?: string; db?: string; json?: boolean }) => {
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
        io.out(flags.json ? `${JSON.stringify(written)}\n` : `${written.files.join('\n')}\n`);
      } finally {
        store.close();
      }
    });
}
