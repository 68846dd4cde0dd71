/**
 * Leaves a command with a non-zero exit code that is not an error message: the command has
 * already printed what happened (runs interrupted → 130, a run or a claim check failed → 1).
 */
export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
    this.name = 'ExitCode';
  }
}
