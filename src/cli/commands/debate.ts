/**
 * `alignlab debate`: the addition debate with a one-step judge (src/oversight/addition-debate.ts).
 *   debate run   plays a batch in process: judge accuracy alone and after each number of rounds
 *   debate show  prints the transcripts an `addition-debate` run stored (artifact transcripts.json)
 */
import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import {
  chooseLie,
  type DebateTranscript,
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
  if (parts.some((p) => p === '')) throw new UserInputError(`'${text}' is not a comma-separated list of rounds`, '--rounds');
  return [...new Set(parts.map((p) => parseInteger(p, '--rounds', 0, 40)))].sort((a, b) => a - b);
}

export function registerDebateCommands(program: Command, io: CliIo): void {
  const debate = program.command('debate').description('debate with a one-step judge on multi-digit addition');

  debate
    .command('run')
    .description('play a batch of honest-vs-liar debates; judge accuracy alone and after each number of rounds')
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
        io.out(`${JSON.stringify({ digits, games, liar, seed: Number(flags.seed), accuracy, transcripts: shown })}\n`);
        return;
      }
      io.out(`${games} games, ${digits}-digit addition, ${liar} liar; judge picks the true sum:\n`);
      for (const a of accuracy)
        io.out(`  ${a.rounds === 0 ? 'judge alone' : `${a.rounds} round(s)`.padEnd(11)}  ${(100 * a.accuracy).toFixed(1)}%\n`);
      for (const t of shown) io.out(`\n${formatTranscript(t)}\n`);
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
        const transcripts = (JSON.parse(artifact.data.toString('utf8')) as DebateTranscript[]).slice(0, limit);
        if (flags.json) {
          io.out(`${JSON.stringify(transcripts)}\n`);
          return;
        }
        io.out(`run ${id} (${run.experiment}, seed ${run.seed}): ${transcripts.length} transcript(s)\n`);
        transcripts.forEach((t, i) => io.out(`\ngame ${i + 1}\n${formatTranscript(t)}\n`));
      } finally {
        store.close();
      }
    });
}
