/**
 * Errors a user caused (a bad flag, config, level file or dataset). The CLI prints the
 * message alone — no stack trace — and exits with code 2. `where` names the place: a
 * file and line, a config key, a row and column.
 */
export class UserInputError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserInputError';
  }
}

/** Lists valid choices in a message: "unknown world 'x' (choose one of: a, b, c)". */
export function choicesHint(choices: readonly (string | number)[]): string {
  return `choose one of: ${choices.join(', ')}`;
}

export function isUserInputError(error: unknown): error is UserInputError {
  return error instanceof UserInputError;
}
