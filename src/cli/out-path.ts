/**
 * `--out` never destroys. A folder output may go where nothing is, into an empty folder, or
 * into a folder this same command wrote before (its manifest says so); a non-empty folder of
 * anything else, or a file in the way, is a UserInputError before any work starts (`--force`
 * writes into such a folder, keeping every file it does not itself write). A file output may
 * not land on a folder. Trailing slashes and `.` are plain paths.
 */
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserInputError } from '../core/errors.js';
import { OUTPUT_MANIFEST } from '../lm/checkpoint.js';

/** Names our writers leave behind for a moment (temporary folders, the manifest). */
const ours = (name: string) => name.startsWith('.alignlab-');

/** The command that wrote `dir`, from its manifest (undefined when there is none). */
export function outputOwner(dir: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(dir, OUTPUT_MANIFEST), 'utf8')) as { command?: unknown };
    return typeof manifest.command === 'string' ? manifest.command : undefined;
  } catch {
    return undefined;
  }
}

/** The nearest existing ancestor must be a writable folder (a file there is an error). */
function checkParents(path: string, flag: string): void {
  let at = dirname(path);
  while (!existsSync(at)) at = dirname(at);
  if (!statSync(at).isDirectory()) throw new UserInputError(`${at} is a file, not a folder`, flag);
  try {
    accessSync(at, constants.W_OK);
  } catch {
    throw new UserInputError(`cannot write in ${at} (permission denied)`, flag);
  }
}

/**
 * Checks a folder output before the work: returns its resolved path, or throws a
 * UserInputError naming the flag. `command` is the writer (e.g. 'dpo').
 */
export function claimOutputDir(
  out: string,
  command: string,
  options: { force?: boolean; flag?: string } = {},
): string {
  const flag = options.flag ?? '--out';
  if (out.trim() === '') throw new UserInputError('empty path', flag);
  const dir = resolve(out);
  if (!existsSync(dir)) {
    checkParents(dir, flag);
    return dir;
  }
  if (!statSync(dir).isDirectory()) {
    throw new UserInputError(`${out} is a file; choose a folder (nothing was written)`, flag);
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserInputError(`cannot write in ${out} (permission denied)`, flag);
  }
  const foreign = readdirSync(dir).filter((name) => !ours(name));
  if (foreign.length === 0 || options.force) return dir;
  const owner = outputOwner(dir);
  if (owner === command) return dir;
  const what = owner
    ? `was written by \`alignlab ${owner}\``
    : `holds files alignlab did not write (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', ...' : ''})`;
  throw new UserInputError(
    `${out} ${what}; choose a new or empty folder, or pass --force to write into it (other files are kept)`,
    flag,
  );
}

/** Records that `command` wrote `dir`, so its next run may write there again. */
export function writeOutputManifest(dir: string, command: string): void {
  writeFileSync(join(dir, OUTPUT_MANIFEST), `${JSON.stringify({ format: 'alignlab-output', command })}\n`);
}

/** Checks a file output before the work: not a folder, under a folder that exists or can be made. */
export function checkOutputFile(out: string, flag = '--out'): string {
  if (out.trim() === '') throw new UserInputError('empty path', flag);
  const path = resolve(out);
  if (out.endsWith('/') || (existsSync(path) && statSync(path).isDirectory())) {
    throw new UserInputError(`${out} is a folder; give a file name`, flag);
  }
  checkParents(path, flag);
  return path;
}

/** Writes a checked file output, making its folder first. */
export function writeOutputFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Checks a folder that collects outputs (reports): only a file in the way, or no way to make it, is an error. */
export function checkOutputFolder(out: string, flag = '--out'): string {
  if (out.trim() === '') throw new UserInputError('empty path', flag);
  const dir = resolve(out);
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new UserInputError(`${out} is a file; choose a folder (nothing was written)`, flag);
  }
  if (!existsSync(dir)) checkParents(dir, flag);
  return dir;
}

/** Where a command that writes one data file puts it: a folder (the rule) or, deprecated, a file. */
export interface DataOutput {
  /** The file to write. */
  path: string;
  /** The claimed folder, or undefined for the deprecated file form. */
  dir?: string;
  /** The file as the user would write it (relative when --out was). */
  shown: string;
}

/** A path that names a data file by its ending: the older `--out FILE` form. */
const FILE_ENDING = /\.(jsonl|json|csv|txt)$/i;

/**
 * Checks `--out` of a command that writes one data file, before the work: a folder that will
 * hold `name` (claimed as any folder output, so it never overwrites another command's files), or
 * — for scripts written before `--out` meant a folder everywhere — a path ending in
 * .jsonl/.json/.csv/.txt, written as that file after a one-line note on stderr.
 */
export function claimDataOutput(
  out: string,
  name: string,
  command: string,
  warn: (text: string) => void,
  options: { force?: boolean } = {},
): DataOutput {
  if (FILE_ENDING.test(out) && !(existsSync(out) && statSync(out).isDirectory())) {
    warn(`alignlab: --out FILE is deprecated; --out is a folder (this command writes FOLDER/${name})\n`);
    return { path: checkOutputFile(out), shown: out };
  }
  const dir = claimOutputDir(out, command, options);
  return { path: join(dir, name), dir, shown: join(out, name) };
}

/** Writes a checked data output (and, in a folder, the manifest naming `command`). */
export function writeDataOutput(target: DataOutput, command: string, text: string): void {
  writeOutputFile(target.path, text);
  if (target.dir !== undefined) writeOutputManifest(target.dir, command);
}
