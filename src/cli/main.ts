import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { isUserInputError } from '../core/errors.js';
import { loadCommands } from './commands/index.js';
import { ExitCode } from './exit-code.js';
import { type CliIo, processIo } from './io.js';

/** The program with the commands `argv` needs (all of them by default: help, completion, tests). */
export async function buildProgram(io: CliIo, argv: readonly string[] = []): Promise<Command> {
  const program = new Command();
  program
    .name('alignlab')
    .description('A laboratory for AI alignment: optimize the specified objective, measure the intended one.')
    .version(createRequire(import.meta.url)('../../package.json').version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .option('--debug', 'print the full stack trace of an unexpected error');
  for (const register of await loadCommands(argv)) register(program, io);
  return program;
}

/** A failed system call on a path the user gave (a full disk, a permission): their problem to fix, in one line. */
function systemErrorLine(error: unknown): string | undefined {
  const e = error as NodeJS.ErrnoException;
  if (!(e instanceof Error) || typeof e.code !== 'string' || !/^E[A-Z]+$/.test(e.code)) return undefined;
  if (e.path === undefined) return undefined;
  const what: Record<string, string> = {
    ENOENT: 'no such file or folder',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    ENOSPC: 'no space left on the device',
    EROFS: 'read-only file system',
    EISDIR: 'is a folder',
    ENOTDIR: 'a part of the path is a file, not a folder',
    EEXIST: 'already exists',
    ENOTEMPTY: 'folder not empty',
  };
  return `${e.path}: ${what[e.code] ?? e.code} (${e.syscall ?? 'system call'} failed)`;
}

/**
 * Runs the CLI on `argv` (without node and script) and returns the exit code.
 * User errors print one line and return 2 (so do failed system calls on a user's path); any
 * other error is a bug: one line and a hint to rerun with --debug, which prints the stack.
 */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const debug = argv.includes('--debug') || process.env.ALIGNLAB_DEBUG === '1';
  const program = await buildProgram(
    io,
    argv.filter((a) => a !== '--debug'),
  );
  try {
    await program.parseAsync(
      argv.filter((a) => a !== '--debug'),
      { from: 'user' },
    );
    return 0;
  } catch (error) {
    return reportError(error, io, debug);
  }
}

/** Prints what went wrong in one line (the stack too with `debug`) and returns the exit code. */
export function reportError(error: unknown, io: CliIo, debug: boolean): number {
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
  const system = systemErrorLine(error);
  if (system !== undefined && !debug) {
    io.err(`alignlab: ${system}\n`);
    return 2;
  }
  if (debug) {
    io.err(`alignlab: unexpected error\n${(error as Error)?.stack ?? String(error)}\n`);
    return 1;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  io.err(
    `alignlab: unexpected error: ${message.split('\n')[0]} (a bug? rerun with --debug for the stack trace)\n`,
  );
  return 1;
}
