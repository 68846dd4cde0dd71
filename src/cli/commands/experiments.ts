/** `alignlab experiments`: the registered experiments and their claims. */
import type { Command } from 'commander';
import { defaultRegistry } from '../../experiments/registry.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

export function registerExperimentsCommand(program: Command, io: CliIo): void {
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
