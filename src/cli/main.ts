import { Command, CommanderError } from 'commander';
import { isUserInputError } from '../core/errors.js';
import { commandModules } from './commands/index.js';
import { ExitCode } from './exit-code.js';
import { type CliIo, processIo } from './io.js';

export function buildProgram(io: CliIo): Command {
  const program = new Command();
  program
    .name('alignlab')
    .description('A laboratory for AI alignment: optimize the specified objective, measure the intended one.')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commandModules) register(program, io);
  return program;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code.
 * User errors print one line and return 2; anything else is a bug and keeps its stack.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.exitCode === 0) return 0;
      return 2;
    }
    if (error instanceof ExitCode) return error.code;
    if (isUserInputError(error)) {
      io.err(`alignlab: ${error.message}\n`);
      return error.exitCode;
    }
    throw error;
  }
}
