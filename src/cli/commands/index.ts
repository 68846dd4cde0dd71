/**
 * The CLI's command modules, loaded lazily: each entry names the top-level commands its
 * module registers, so `alignlab rollout …` imports the gridworld commands alone and not
 * tfjs, fastify or the OpenAI SDK. Help, an unknown command and `completion` load them all.
 * test/cli/commands.test.ts checks that each module registers exactly the names listed here.
 */
import type { Command } from 'commander';
import type { CliIo } from '../io.js';

/** One area's commands. Each file in this folder exports one of these. */
export type RegisterCommands = (program: Command, io: CliIo) => void;

export interface CommandModule {
  /** The top-level commands the module registers (`bench` is shared: several add subcommands). */
  commands: readonly string[];
  load(): Promise<RegisterCommands>;
}

export const commandModules: readonly CommandModule[] = [
  {
    commands: ['envs', 'render', 'rollout', 'play', 'tour', 'bench'],
    load: async () => (await import('./envs.js')).registerEnvCommands,
  },
  { commands: ['run'], load: async () => (await import('./run.js')).registerRunCommand },
  { commands: ['runs'], load: async () => (await import('./runs.js')).registerRunsCommands },
  { commands: ['report'], load: async () => (await import('./report.js')).registerReportCommand },
  {
    commands: ['experiments'],
    load: async () => (await import('./experiments.js')).registerExperimentsCommand,
  },
  { commands: ['bench'], load: async () => (await import('./lab-bench.js')).registerLabBenchCommand },
  { commands: ['config'], load: async () => (await import('./config.js')).registerConfigCommand },
  { commands: ['debate'], load: async () => (await import('./debate.js')).registerDebateCommands },
  { commands: ['offswitch'], load: async () => (await import('./offswitch.js')).registerOffSwitchCommands },
  { commands: ['reproduce'], load: async () => (await import('./reproduce.js')).registerReproduceCommand },
  { commands: ['worker'], load: async () => (await import('./worker.js')).registerWorkerCommand },
  { commands: ['completion'], load: async () => (await import('./completion.js')).registerCompletionCommand },
  { commands: ['bench'], load: async () => (await import('./agents.js')).registerAgentCommands },
  { commands: ['prefs'], load: async () => (await import('./prefs.js')).registerPrefsCommands },
  { commands: ['doctor', 'bench'], load: async () => (await import('./nn.js')).registerNnCommands },
  { commands: ['lm', 'serve'], load: async () => (await import('./lm.js')).registerLmCommands },
  { commands: ['rm', 'rlhf', 'dpo'], load: async () => (await import('./align.js')).registerAlignCommands },
  { commands: ['bench'], load: async () => (await import('./bench-align.js')).registerAlignBenchCommands },
  { commands: ['cai'], load: async () => (await import('./cai.js')).registerCaiCommands },
  { commands: ['eval'], load: async () => (await import('./eval.js')).loadEvalCommands() },
];

/** Commands whose output lists every other command. */
const NEEDS_ALL = new Set(['completion', 'help']);

/**
 * The registrars `argv` needs: the modules that declare its first word (its own `--help`
 * included), none for `--version` alone, and all of them for top-level help, `completion`, or a
 * word no module declares (so commander can suggest the nearest command).
 */
export async function loadCommands(argv: readonly string[]): Promise<RegisterCommands[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && (argv.includes('--version') || argv.includes('-V'))) return [];
  const wanted =
    first === undefined || NEEDS_ALL.has(first)
      ? commandModules
      : commandModules.filter((m) => m.commands.includes(first));
  return Promise.all((wanted.length > 0 ? wanted : commandModules).map((m) => m.load()));
}
