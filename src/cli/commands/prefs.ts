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
  parseRaterConfig,
  preferenceFormats,
  preferenceStats,
  type RaterConfig,
  simulatedRaterSchema,
} from '../../feedback/index.js';
import { parseInteger, parseNumber, parseSeed, readText } from '../flags.js';
import type { CliIo } from '../io.js';
import { claimDataOutput, type DataOutput, writeDataOutput } from '../out-path.js';
import { PREFERENCES_FILE, readPreferences } from '../preference-file.js';
import { addSchemaOptions } from '../schema-options.js';

function formatFlag(text: string): PreferenceFormat {
  if (!(preferenceFormats as readonly string[]).includes(text)) {
    throw new UserInputError(`unknown format '${text}' (${choicesHint(preferenceFormats)})`, '--format');
  }
  return text as PreferenceFormat;
}

/** `--out <dir>` (or the deprecated file form), checked before any work. */
function dataOutput(
  io: CliIo,
  out: string | undefined,
  command: string,
  force?: boolean,
): DataOutput | undefined {
  return out === undefined ? undefined : claimDataOutput(out, PREFERENCES_FILE, command, io.err, { force });
}

/** Writes data to the checked --out, or to stdout when there is none. */
function emit(io: CliIo, text: string, out: DataOutput | undefined, command: string): void {
  if (out === undefined) io.out(text);
  else writeDataOutput(out, command, text);
}

interface RaterFlags {
  raterConfig?: string;
}

function raterConfigOf(flags: RaterFlags, fromFlags: Record<string, unknown>): RaterConfig {
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
  return simulatedRaterSchema.parse(fromFlags);
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
  const generate = prefs
    .command('generate')
    .description('sample candidate pairs from a source and label them with a simulated rater')
    .option('--source <id>', `pair source (${pairSources.map((s) => s.id).join(', ')})`, 'arithmetic')
    .option('--count <n>', 'number of pairs', '200')
    .option('--seed <n>', 'seed for the source and the rater', '0')
    .option('--format <name>', 'standard or conversational', 'standard')
    .option('--out <dir>', `folder for ${PREFERENCES_FILE} (default: JSONL on stdout)`)
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--no-truth', 'leave out the evaluator-only truth objects')
    .option('--rater-config <file>', 'YAML/JSON rater or {panel: [...]} (overrides the rater flags)')
    .option('--json', 'print the summary as JSON');
  const raterFlags = addSchemaOptions(generate, io, simulatedRaterSchema, {
    beta: {
      help: 'rater rationality β (inf = always the better-perceived output)',
      type: 'number|inf',
      parse: (text, flag) => (text.trim() === 'inf' ? Number.POSITIVE_INFINITY : parseNumber(text, flag, 0)),
    },
    confidenceBias: 'utility bonus for confident wording ("sure")',
    lengthBias: 'utility bonus per word (or char, see --length-unit)',
    lengthUnit: 'what --length-bias counts',
    sycophancy: 'utility bonus for agreeing with the belief in the prompt',
    flipProbability: { flag: '--flip', help: 'ε: probability a label is flipped' },
    tieThreshold: 'utility differences below this are ties (skipped)',
  });
  generate.action(
    async (
      flags: RaterFlags & {
        source: string;
        count: string;
        seed: string;
        format: string;
        out?: string;
        force?: boolean;
        truth: boolean;
        json?: boolean;
      },
    ) => {
      const out = dataOutput(io, flags.out, 'prefs generate', flags.force);
      const source = getPairSource(flags.source);
      const format = formatFlag(flags.format);
      const count = parseInteger(flags.count, '--count', 1, 1_000_000);
      const root = new Rng(parseSeed(flags.seed));
      const rater = buildTextRater(
        raterConfigOf(flags, raterFlags(flags)),
        source.trueUtility,
        root.derive('rater'),
      );
      const result = await generatePreferences({ source, rater, count, rng: root.derive('source') });
      emit(
        io,
        formatPreferenceJsonl(result.pairs, { format, includeTruth: flags.truth }),
        out,
        'prefs generate',
      );
      const summary = {
        out: out?.shown ?? null,
        pairs: result.pairs.length,
        source: source.id,
        ties: result.ties,
        repeats: result.repeats,
        agreement: result.agreement.agreement,
      };
      const line =
        `${result.pairs.length} pairs from '${source.id}' (${result.ties} ties skipped, ${result.repeats} repeats skipped); ` +
        `rater agreement with the truth ${(100 * result.agreement.agreement).toFixed(1)}%\n`;
      // With the data on stdout, the summary goes to stderr.
      const print = out === undefined ? (text: string) => io.err(text) : (text: string) => io.out(text);
      print(
        flags.json
          ? `${JSON.stringify(summary)}\n`
          : out === undefined
            ? line
            : `wrote ${out.shown}: ${line}`,
      );
    },
  );
}

function importCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('import <file>')
    .description('validate a preference JSONL file (TRL standard, conversational or implicit prompt)')
    .option('--out <dir>', `also write it normalized (explicit prompt) as <dir>/${PREFERENCES_FILE}`)
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--format <name>', 'format for --out (default: the detected one)')
    .option('--json', 'print JSON')
    .action((file: string, flags: { out?: string; force?: boolean; format?: string; json?: boolean }) => {
      const out = dataOutput(io, flags.out, 'prefs import', flags.force);
      const parsed = readPreferences(file);
      const format = flags.format === undefined ? parsed.format : formatFlag(flags.format);
      if (out !== undefined)
        writeDataOutput(out, 'prefs import', formatPreferenceJsonl(parsed.pairs, { format }));
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
      if (out !== undefined) io.out(`wrote ${out.shown} (${format})\n`);
    });
}

function exportCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('export <file>')
    .description('convert a preference file to TRL standard or conversational JSONL')
    .requiredOption('--format <name>', 'standard or conversational')
    .option('--out <dir>', `folder for ${PREFERENCES_FILE} (default: stdout)`)
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--training-view', 'strip the evaluator-only truth objects (what a trainer may read)')
    .action(
      (file: string, flags: { format: string; out?: string; force?: boolean; trainingView?: boolean }) => {
        const format = formatFlag(flags.format);
        const out = dataOutput(io, flags.out, 'prefs export', flags.force);
        const parsed = readPreferences(file);
        emit(
          io,
          formatPreferenceJsonl(parsed.pairs, { format, includeTruth: !flags.trainingView }),
          out,
          'prefs export',
        );
      },
    );
}

function statsCommand(prefs: Command, io: CliIo): void {
  prefs
    .command('stats <file>')
    .description('count, mean lengths, share where chosen is longer or sounds confident, duplicates')
    .option('--json', 'print JSON')
    .action((file: string, flags: { json?: boolean }) => {
      const stats = preferenceStats(readPreferences(file, { duplicates: 'keep' }).pairs);
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
