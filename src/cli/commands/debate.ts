/**
 * `alignlab debate`: the addition debate with a one-step judge (src/oversight/addition-debate.ts).
 *   debate run   plays a batch in process: judge accuracy alone and after each number of rounds
 *   debate show  prints the transcripts an `addition-debate` run stored (artifact transcripts.json)
 *   debate play  you are the judge: read the debate, verify one column, pick the true sum
 */
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import {
  chooseLie,
  columnHolds,
  type DebateTranscript,
  defend,
  digitsToString,
  formatTranscript,
  playDebate,
  randomQuestion,
  trueSum,
} from '../../oversight/addition-debate.js';
import { oneOf, parseInteger, parseSeed } from '../flags.js';
import type { CliIo } from '../io.js';
import { DB_HELP, openStore } from '../lab-runs.js';

interface RunFlags {
  digits: string;
  rounds: string;
  games: string;
  seed: string;
  liar: string;
  show: string;
  json?: boolean;
}

function roundsOf(text: string): number[] {
  const parts = text.split(',').map((t) => t.trim());
  if (parts.some((p) => p === ''))
    throw new UserInputError(`'${text}' is not a comma-separated list of rounds`, '--rounds');
  return [...new Set(parts.map((p) => parseInteger(p, '--rounds', 0, 40)))].sort((a, b) => a - b);
}

/** One side's claim at a column in play: the honest side states its true carries. */
function claimAt(answer: readonly number[], j: number, carryIn: number | null, carryOut: number) {
  return { column: j, carryIn, digit: answer[j], carryOut };
}

/**
 * One interactive game: the person reads both answers and the rounds of claims (both sides claim
 * at each disputed column; a side that cannot name a carry-in says so), verifies ONE column of
 * one side, and picks the side they believe. `lines` yields the person's input lines.
 */
export async function playInteractive(
  io: CliIo,
  lines: AsyncIterator<string>,
  opts: { digits: number; rounds: number; rng: Rng },
): Promise<{ correct: boolean }> {
  const q = randomQuestion(opts.rng, opts.digits);
  const truth = trueSum(q).sum;
  const lie = chooseLie(q, opts.rng, 'search');
  const honestSeat: 'A' | 'B' = opts.rng.bernoulli(0.5) ? 'A' : 'B';
  const answers = { A: honestSeat === 'A' ? truth : lie, B: honestSeat === 'A' ? lie : truth };
  const { carries } = trueSum(q);
  const liarMoves = defend(q, lie, 'B').moves.filter((m) => m.round <= opts.rounds);
  const ask = async (prompt: string): Promise<string> => {
    io.out(prompt);
    const next = await lines.next();
    if (next.done) throw new UserInputError('input ended before the game did', 'stdin');
    return String(next.value).trim();
  };
  io.out(`  ${digitsToString(q.a)}\n+ ${digitsToString(q.b)}\n`);
  io.out(`A answers ${digitsToString(answers.A)}\nB answers ${digitsToString(answers.B)}\n`);
  io.out(
    'Columns are numbered from 0 (units). A claim "column j: carry-in c → digit d, carry-out o" holds when a_j + b_j + c = d + 10·o.\n',
  );
  const claims: Record<'A' | 'B', Map<number, ReturnType<typeof claimAt>>> = { A: new Map(), B: new Map() };
  for (const m of liarMoves) {
    const liarSeat = honestSeat === 'A' ? 'B' : 'A';
    const honest = claimAt(truth, m.column, carries[m.column], carries[m.column + 1]);
    const liar = claimAt(lie, m.column, m.carryIn, m.carryOut);
    claims[honestSeat].set(m.column, honest);
    claims[liarSeat].set(m.column, liar);
    for (const seat of ['A', 'B'] as const) {
      const c = claims[seat].get(m.column)!;
      io.out(
        c.carryIn === null
          ? `round ${m.round}  ${seat}: cannot name a carry-in at column ${c.column} giving digit ${c.digit}, carry-out ${c.carryOut}\n`
          : `round ${m.round}  ${seat}: column ${c.column}: carry-in ${c.carryIn} → digit ${c.digit}, carry-out ${c.carryOut}\n`,
      );
    }
  }
  if (liarMoves.length === 0) io.out('(no rounds)\n');
  const pointed = [...claims.A.keys()];
  if (pointed.length > 0) {
    const text = await ask(
      `Verify one column (${pointed.join(', ')}) and side, e.g. "${pointed[0]} A" (Enter to skip): `,
    );
    if (text !== '') {
      const [colText, seatText] = text.split(/\s+/);
      const column = parseInteger(colText, 'column', 0, opts.digits - 1);
      const seat = oneOf((seatText ?? '').toUpperCase(), ['A', 'B'] as const, 'side');
      const c = claims[seat].get(column);
      if (!c) io.out(`${seat} made no claim at column ${column}\n`);
      else {
        const holds = c.carryIn !== null && columnHolds(q, column, c.carryIn, c.digit, c.carryOut);
        io.out(
          `column ${column}: ${q.a[column]} + ${q.b[column]} + ${c.carryIn ?? '?'} — ${seat}'s claim ${holds ? 'holds' : 'FAILS'}\n`,
        );
      }
    }
  }
  const pick = oneOf(
    (await ask('Which answer is the true sum, A or B? ')).toUpperCase(),
    ['A', 'B'] as const,
    'side',
  );
  const correct = pick === honestSeat;
  io.out(`${correct ? 'Right' : 'Wrong'}: the true sum is ${digitsToString(truth)} (${honestSeat}).\n`);
  return { correct };
}

export function registerDebateCommands(program: Command, io: CliIo): void {
  const debate = program
    .command('debate')
    .description('debate with a one-step judge on multi-digit addition');

  debate
    .command('run')
    .description(
      'play a batch of honest-vs-liar debates; judge accuracy alone and after each number of rounds',
    )
    .option('--digits <n>', 'digits of each addend', '8')
    .option('--rounds <list>', 'debate lengths, comma-separated (0 = the judge alone)', '0,1,2,3,4')
    .option('--games <n>', 'questions', '1000')
    .option('--seed <n>', 'seed', '1')
    .option('--liar <kind>', 'search (the lie that survives the most rounds) or random', 'search')
    .option('--show <n>', 'print this many transcripts (at the most rounds)', '1')
    .option('--json', 'print JSON (accuracies and the shown transcripts)')
    .action((flags: RunFlags) => {
      const digits = parseInteger(flags.digits, '--digits', 3, 30);
      const rounds = roundsOf(flags.rounds);
      const games = parseInteger(flags.games, '--games', 1, 1_000_000);
      const liar = oneOf(flags.liar, ['search', 'random'] as const, '--liar');
      const show = parseInteger(flags.show, '--show', 0, 1000);
      const rng = new Rng(parseSeed(flags.seed));
      const wins = rounds.map(() => 0);
      const shown: DebateTranscript[] = [];
      for (let g = 0; g < games; g++) {
        const q = randomQuestion(rng, digits);
        const lie = chooseLie(q, rng, liar);
        const truth = trueSum(q).sum;
        rounds.forEach((k, i) => {
          const t = playDebate(q, truth, lie, k, rng);
          if (t.winner === 'A') wins[i]++;
          if (i === rounds.length - 1 && shown.length < show) shown.push(t);
        });
      }
      const accuracy = rounds.map((k, i) => ({ rounds: k, accuracy: wins[i] / games }));
      if (flags.json) {
        io.out(
          `${JSON.stringify({ digits, games, liar, seed: Number(flags.seed), accuracy, transcripts: shown })}\n`,
        );
        return;
      }
      io.out(`${games} games, ${digits}-digit addition, ${liar} liar; judge picks the true sum:\n`);
      for (const a of accuracy)
        io.out(
          `  ${a.rounds === 0 ? 'judge alone' : `${a.rounds} round(s)`.padEnd(11)}  ${(100 * a.accuracy).toFixed(1)}%\n`,
        );
      for (const t of shown) io.out(`\n${formatTranscript(t)}\n`);
    });

  debate
    .command('play')
    .description('be the judge: read a debate, verify one column, pick the true sum (reads stdin)')
    .option('--digits <n>', 'digits of each addend', '6')
    .option('--rounds <n>', 'rounds of debate', '3')
    .option('--games <n>', 'games', '1')
    .option('--seed <n>', 'seed (default: random)')
    .action(async (flags: { digits: string; rounds: string; games: string; seed?: string }) => {
      const digits = parseInteger(flags.digits, '--digits', 3, 30);
      const rounds = parseInteger(flags.rounds, '--rounds', 0, 40);
      const games = parseInteger(flags.games, '--games', 1, 1000);
      const rng = new Rng(flags.seed === undefined ? Date.now() % 2 ** 31 : parseSeed(flags.seed));
      const rl = createInterface({ input: process.stdin, terminal: false });
      const lines = rl[Symbol.asyncIterator]();
      let right = 0;
      try {
        for (let g = 0; g < games; g++) {
          if (games > 1) io.out(`\ngame ${g + 1} of ${games}\n`);
          if ((await playInteractive(io, lines, { digits, rounds, rng })).correct) right++;
        }
      } finally {
        rl.close();
      }
      io.out(`\nyou judged ${right} of ${games} right\n`);
    });

  debate
    .command('show <run>')
    .description('the transcripts an addition-debate run stored')
    .option('--limit <n>', 'at most this many transcripts', '20')
    .option('--json', 'print the transcripts as JSON')
    .option('--db <file>', DB_HELP)
    .action((text: string, flags: { limit: string; json?: boolean; db?: string }) => {
      const id = parseInteger(text, 'run id', 1, Number.MAX_SAFE_INTEGER);
      const limit = parseInteger(flags.limit, '--limit', 1, 1_000_000);
      const store = openStore(flags.db, 'read');
      try {
        const run = store.requireRun(id);
        const artifact = store.artifacts(run.id).find((a) => a.name === 'transcripts.json');
        if (!artifact)
          throw new UserInputError(
            `run ${id} (${run.experiment}) has no debate transcripts; run \`alignlab run addition-debate\` first`,
            'run id',
          );
        const transcripts = (JSON.parse(artifact.data.toString('utf8')) as DebateTranscript[]).slice(
          0,
          limit,
        );
        if (flags.json) {
          io.out(`${JSON.stringify(transcripts)}\n`);
          return;
        }
        io.out(`run ${id} (${run.experiment}, seed ${run.seed}): ${transcripts.length} transcript(s)\n`);
        for (const [i, t] of transcripts.entries()) io.out(`\ngame ${i + 1}\n${formatTranscript(t)}\n`);
      } finally {
        store.close();
      }
    });
}
