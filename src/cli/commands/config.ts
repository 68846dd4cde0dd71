/** `alignlab config <experiment>`: every config key with its type, default, quick value and range (from the schema). */
import type { Command } from 'commander';
import { defaultRegistry } from '../../experiments/registry.js';
import { describeConfig } from '../../lab/config.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export function registerConfigCommand(program: Command, io: CliIo): void {
  program
    .command('config <experiment>')
    .description("an experiment's config keys: type, default, quick value and what each accepts (for --set)")
    .option('--json', 'print JSON')
    .action((id: string, flags: { json?: boolean }) => {
      const experiment = defaultRegistry.get(id);
      const keys = describeConfig(experiment);
      if (flags.json) {
        io.out(`${JSON.stringify(keys, null, 2)}\n`);
        return;
      }
      io.out(`${experiment.title}\n${experiment.claim}\n\n`);
      io.out(
        textTable(
          ['key', 'type', 'default', 'quick', 'accepts'],
          keys.map((k) => [k.key, k.type, show(k.default), show(k.quick), k.accepts || '-']),
        ),
      );
      io.out(
        `\nSet any key with --set key=value (run, reproduce); controls: ${experiment.controls.map((c) => c.name).join(', ') || '-'}\n`,
      );
    });
}
