import type { Command } from 'commander';
import YAML from 'yaml';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import {
  buildTextRater,
  formatPreferenceJsonl,
  generatePreferences,
  getPairSource,
  type PreferenceFormat,
  type PreferenceStats,
  pairSources,
  parsePreferenceJsonl,
  parseRaterConfig,
  preferenceFormats,
  preferenceStats,
  type RaterConfig,
} from '../../feedback/index.js';
import { parseInteger, parseNumber, readText } from '../flags.js';
import type { CliIo } from '../io.js';
import { checkOutputFile, writeOutputFile } from '../out-path.js';

function formatFlag(text: string): PreferenceFormat {
  if (!(preferenceFormats as readonly string[]).includes(text)) {
    throw new UserInputError(`unknown format '${text}' (${choicesHint(preferenceFormats)})`, '--format');
  }
  return text as PreferenceFormat;
}

/** Writes data to --out, or to stdout when there is none. */
function emit(io: CliIo, text: string, out?: string): void {
  if (out === undefined) io.out(text);
  else writeOutputFile(checkOutputFile(out), text);
}

interface RaterFlags {
  beta: string;
  confidenceBias: string;
  lengthBias: string;
  sycophancy: string;
  flip: string;
  raterConfig?: string;
}

function raterConfigOf(flags: RaterFlags): RaterConfig {
  if (flags.raterConfig !== undefined) {
    let data: unknown;
    try {
      data = YAML.parse(readText(flags.raterConfig));
    } catch (error) {
      if (error instanceof UserInputError) throw error;
      throw new UserInputError(
        `not valid YAML/JSON (${(error as Error).message.split('\n')[0]})`,
        flags.raterConfig,
      );
    }
    return parseRaterConfig(data, flags.raterConfig);
  }
  return {
    beta: flags.beta === 'inf' ? Number.POSITIVE_INFINITY : parseNumber(flags.beta, '--beta', 0),
    confidenceBias: parseNumber(flags.confidenceBias, '--confidence-bias'),
    lengthBias: parseNumber(flags.lengthBias, '--length-bias'),
    lengthUnit: 'word',
    sycophancy: parseNumber(flags.sycophancy, '--sycophancy'),
    flipProbability: parseNumber(flags.flip, '--flip', 0, 1),
  };
}

function statsLines(stats: PreferenceStats): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const rows: [string, string][] = [
    ['pairs', String(stats.count)],
    ['mean prompt words', stats.meanPromptWords.toFixed(2)],
    ['mean chosen words', stats.meanChosenWords.toFixed(2)],
    ['mean rejected words', stats.meanRejectedWords.toFixed(2)],
    ['chosen longer', pct(stats.chosenLongerShare)],
    ['chosen confident', pct(stats.chosenConfidentShare)],
    ['rejected confident', pct(stats.rejectedConfidentShare)],
    ['duplicates', String(stats.duplicates)],
    ['identical completions', String(stats.identicalCompletions)],
    ['with truth', String(stats.withTruth)],
    ['agreement with truth', stats.truthAgreement === null ? '-' : pct(stats.truthAgreement)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
}

function generateCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('generate')
    .description('sample candidate pairs from a source and label them with a simulated rater')
    .option('--source <id>', `pair source (${pairSources.map((s) => s.id).join(', ')})`, 'arithmetic')
    .option('--count <n>', 'number of pairs', '200')
    .option('--seed <n>', 'seed for the source and the rater', '0')
    .option('--format <name>', 'standard or conversational', 'standard')
    .option('--out <file>', 'write JSONL here (default: stdout)')
    .option('--no-truth', 'leave out the evaluator-only truth objects')
    .option('--beta <x>', 'rater rationality β (inf = always the better-perceived output)', '5')
    .option('--confidence-bias <x>', 'utility bonus for confident wording ("sure")', '0')
    .option('--length-bias <x>', 'utility bonus per word', '0')
    .option('--sycophancy <x>', 'utility bonus for agreeing with the belief in the prompt', '0')
    .option('--flip <p>', 'ε: probability a label is flipped', '0')
    .option('--rater-config <file>', 'YAML/JSON rater or {panel: [...]} (overrides the rater flags)')
    .action(
      async (
        flags: RaterFlags & {
          source: string;
          count: string;
          seed: string;
          format: string;
          out?: string;
          truth: boolean;
        },
      ) => {
        if (flags.out !== undefined) checkOutputFile(flags.out);
        const source = getPairSource(flags.source);
        const format = formatFlag(flags.format);
        const count = parseInteger(flags.count, '--count', 1, 1_000_000);
        const seed = parseInteger(flags.seed, '--seed', 0, 2 ** 32 - 1);
        const root = new Rng(seed);
        const rater = buildTextRater(raterConfigOf(flags), source.trueUtility, root.derive('rater'));
        const result = await generatePreferences({ source, rater, count, rng: root.derive('source') });
        emit(io, formatPreferenceJsonl(result.pairs, { format, includeTruth: flags.truth }), flags.out);
        const summary =
          `${result.pairs.length} pairs from '${source.id}' (${result.ties} ties skipped, ${result.repeats} repeats skipped); ` +
          `rater agreement with the truth ${(100 * result.agreement.agreement).toFixed(1)}%\n`;
        if (flags.out === undefined) io.err(summary);
        else io.out(`wrote ${flags.out}: ${summary}`);
      },
    );
}

function importCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('import <file>')
    .description('validate a preference JSONL file (TRL standard, conversational or implicit prompt)')
    .option('--out <file>', 'also write it normalized (explicit prompt) as JSONL')
    .option('--format <name>', 'format for --out (default: the detected one)')
    .option('--json', 'print JSON')
    .action((file: string, flags: { out?: string; format?: string; json?: boolean }) => {
      const out = flags.out === undefined ? undefined : checkOutputFile(flags.out);
      const parsed = parsePreferenceJsonl(readText(file), file);
      const format = flags.format === undefined ? parsed.format : formatFlag(flags.format);
      if (out !== undefined) writeOutputFile(out, formatPreferenceJsonl(parsed.pairs, { format }));
      const info = {
        file,
        pairs: parsed.pairs.length,
        format: parsed.format,
        implicitPrompt: parsed.implicitPrompt,
        ignoredFields: parsed.ignoredFields,
        withTruth: parsed.pairs.filter((p) => p.truth !== undefined).length,
      };
      if (flags.json) {
        io.out(`${JSON.stringify(info)}\n`);
        return;
      }
      const implicit = parsed.implicitPrompt ? ', implicit prompt' : '';
      io.out(
        `${file}: ${info.pairs} pair${info.pairs === 1 ? '' : 's'}, ${info.format} format${implicit}, ${info.withTruth} with truth\n`,
      );
      if (info.ignoredFields.length) io.out(`ignored fields: ${info.ignoredFields.join(', ')}\n`);
      if (flags.out !== undefined) io.out(`wrote ${flags.out} (${format})\n`);
    });
}

function exportCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('export <file>')
    .description('convert a preference file to TRL standard or conversational JSONL')
    .requiredOption('--format <name>', 'standard or conversational')
    .option('--out <file>', 'write here (default: stdout)')
    .option('--training-view', 'strip the evaluator-only truth objects (what a trainer may read)')
    .action((file: string, flags: { format: string; out?: string; trainingView?: boolean }) => {
      const format = formatFlag(flags.format);
      if (flags.out !== undefined) checkOutputFile(flags.out);
      const parsed = parsePreferenceJsonl(readText(file), file);
      emit(io, formatPreferenceJsonl(parsed.pairs, { format, includeTruth: !flags.trainingView }), flags.out);
    });
}

function statsCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('stats <file>')
    .description('count, mean lengths, share where chosen is longer or sounds confident, duplicates')
    .option('--json', 'print JSON')
    .action((file: string, flags: { json?: boolean }) => {
      const stats = preferenceStats(parsePreferenceJsonl(readText(file), file, { duplicates: 'keep' }).pairs);
      io.out(flags.json ? `${JSON.stringify(stats)}\n` : statsLines(stats));
    });
}

export function registerPrefsCommands(program: Command, io: CliIo): void {
  const prefs = program
    .command('prefs')
    .description('preference data: generate with simulated raters, import, export, stats');
  generateCommand(prefs, io);
  importCommand(prefs, io);
  exportCommand(prefs, io);
  statsCommand(prefs, io);
}
