import type { Command } from 'commander';
import { measureQLearningIsolated } from '../../agents/bench.js';
import { getWorld, worlds } from '../../envs/suite/index.js';
import { benchParent } from '../bench-parent.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

/** The target: tabular Q-learning learns at a million environment steps per second. */
const TARGET_STEPS_PER_SECOND = 1_000_000;

export function registerAgentCommands(program: Command, io: CliIo): void {
  const bench = benchParent(program);
  bench
    .command('agents')
    .description(
      'tabular Q-learning learning throughput per world: env steps/s including action choice and update ' +
        '(one core, best of 3 runs)',
    )
    .option('--steps <n>', 'timed steps per world', '1000000')
    .option('--world <id>', 'one world (default: every world at its default level)')
    .option('--json', 'print JSON')
    .action(async (flags: { steps: string; world?: string; json?: boolean }) => {
      const steps = parseInteger(flags.steps, '--steps', 1000, 1e10);
      const selected = flags.world === undefined ? worlds : [getWorld(flags.world)];
      const results = [];
      for (const world of selected) {
        const measured = await measureQLearningIsolated({ id: world.id, level: world.defaultLevel, steps });
        results.push({
          agent: 'q-learning',
          env: world.id,
          level: world.defaultLevel,
          stepsPerSecond: Math.round(measured.stepsPerSecond),
          stepsPerCpuSecond: Math.round(measured.stepsPerCpuSecond),
          states: measured.states,
          target: TARGET_STEPS_PER_SECOND,
          meetsTarget: measured.stepsPerCpuSecond >= TARGET_STEPS_PER_SECOND,
        });
      }
      if (flags.json) {
        io.out(`${JSON.stringify(results)}\n`);
        return;
      }
      const rows = results.map((r) => [
        r.env,
        String(r.level),
        r.stepsPerSecond.toLocaleString('en-US'),
        r.stepsPerCpuSecond.toLocaleString('en-US'),
        String(r.states),
        r.meetsTarget ? 'yes' : 'no',
      ]);
      const header = ['world', 'level', 'steps/s (wall)', 'steps/s (CPU)', 'states', '>= 1M (CPU)'];
      io.out(textTable(header, rows));
    });
}
