/** The shared `bench` command: each area adds its own subcommands to the one parent. */
import type { Command } from 'commander';

/** `bench`, created by whichever command module registers first. */
export function benchParent(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'bench') ??
    program.command('bench').description('throughput benchmarks')
  );
}
