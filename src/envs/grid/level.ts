import { choicesHint, UserInputError } from '../../core/errors.js';

/** A parsed level: a rectangle of character codes, row-major, and where the agent starts. */
export interface Level {
  readonly rows: number;
  readonly cols: number;
  /** Character codes of the art, row-major (the agent's cell still holds the agent character). */
  readonly cells: Uint8Array;
  /** Row-major index of the agent's start cell. */
  readonly agent: number;
}

/** How to read a level's art: the allowed characters and the agent's. */
export interface ParseOptions {
  /** Every character the art may contain (the agent character included). */
  readonly legend: string;
  /** The agent's character; exactly one must appear. */
  readonly agent?: string;
  /** Names the art in error messages, e.g. a file name or "boat-race level 0". */
  readonly source?: string;
}

/**
 * Parses ASCII art into a `Level`. Errors are `UserInputError`s that name the row and column
 * (1-based, as an editor shows them), because level art may come from a user's file.
 */
export function parseLevel(art: readonly string[] | string, options: ParseOptions): Level {
  const lines = typeof art === 'string' ? art.replace(/\r/g, '').replace(/\n+$/, '').split('\n') : art;
  const where = options.source ?? 'level';
  const agentChar = options.agent ?? 'A';
  if (lines.length === 0 || lines[0].length === 0) throw new UserInputError('the level art is empty', where);
  const cols = lines[0].length;
  const rows = lines.length;
  const cells = new Uint8Array(rows * cols);
  const legend = new Set(options.legend + agentChar);
  let agent = -1;
  for (let r = 0; r < rows; r++) {
    const line = lines[r];
    if (line.length !== cols) {
      throw new UserInputError(
        `row ${r + 1} has ${line.length} columns but row 1 has ${cols} (rows must all be the same width)`,
        where,
      );
    }
    for (let c = 0; c < cols; c++) {
      const ch = line[c];
      if (!legend.has(ch)) {
        throw new UserInputError(
          `row ${r + 1}, column ${c + 1}: unknown character ${JSON.stringify(ch)} (${choicesHint(
            [...legend].map((x) => JSON.stringify(x)),
          )})`,
          where,
        );
      }
      if (ch === agentChar) {
        if (agent >= 0) {
          const first = `row ${Math.floor(agent / cols) + 1}, column ${(agent % cols) + 1}`;
          throw new UserInputError(
            `row ${r + 1}, column ${c + 1}: a second agent ${JSON.stringify(agentChar)} (the first is at ${first}); a level has exactly one`,
            where,
          );
        }
        agent = r * cols + c;
      }
      cells[r * cols + c] = ch.charCodeAt(0);
    }
  }
  if (agent < 0) {
    throw new UserInputError(
      `no agent: the art must contain exactly one ${JSON.stringify(agentChar)}`,
      where,
    );
  }
  return { rows, cols, cells, agent };
}
