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

/**
 * Lists valid choices in a message: "unknown world 'x' (choose one of: a, b, c)"; given the
 * misspelt value, it leads with the nearest choice: "did you mean 'boat-race'? choose one of: …".
 */
export function choicesHint(choices: readonly (string | number)[], given?: string | number): string {
  const near = given === undefined ? undefined : nearest(String(given), choices.map(String));
  return `${near === undefined ? '' : `did you mean '${near}'? `}choose one of: ${choices.join(', ')}`;
}

/** Optimal string alignment distance: edits, with a swap of neighbours counting one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [
    i,
    ...new Array<number>(b.length).fill(0),
  ]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The choice nearest to `given` (case-insensitive), when it is within a third of its length (at least 2 edits). */
export function nearest(given: string, choices: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const choice of choices) {
    const distance = editDistance(given.toLowerCase(), choice.toLowerCase());
    if (distance < bestDistance) {
      best = choice;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance > 0 && bestDistance <= Math.max(2, Math.floor(given.length / 3))
    ? best
    : undefined;
}

export function isUserInputError(error: unknown): error is UserInputError {
  return error instanceof UserInputError;
}
