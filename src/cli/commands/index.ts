import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { registerAgentCommands } from './agents.js';
import { registerAlignCommands } from './align.js';
import { registerAlignBenchCommands } from './bench-align.js';
import { registerCompletionCommand } from './completion.js';
import { registerEnvCommands } from './envs.js';
import { registerLabCommands } from './lab.js';
import { registerLmCommands } from './lm.js';
import { registerNnCommands } from './nn.js';
import { registerPrefsCommands } from './prefs.js';
import { registerReproduceCommand } from './reproduce.js';
import { registerWorkerCommand } from './worker.js';

/** One area's commands. Each file in this folder exports one of these; main.ts mounts them all. */
export type RegisterCommands = (program: Command, io: CliIo) => void;

export const commandModules: RegisterCommands[] = [
  registerEnvCommands,
  registerLabCommands,
  registerReproduceCommand,
  registerWorkerCommand,
  registerCompletionCommand,
  registerAgentCommands,
  registerPrefsCommands,
  registerNnCommands,
  registerLmCommands,
  registerAlignCommands,
  registerAlignBenchCommands,
];
