/** Preference JSONL files as commands read them: a file, or a folder a `prefs` command wrote it into. */
import { parsePreferenceJsonl } from '../feedback/index.js';
import { dataFile, readText } from './flags.js';

/** What `prefs generate|import|export --out <dir>` writes in the folder (and `--data <dir>` reads). */
export const PREFERENCES_FILE = 'preferences.jsonl';

/** The parsed pairs of `path` (or of `path/preferences.jsonl`), and the file they came from. */
export function readPreferences(path: string, options?: Parameters<typeof parsePreferenceJsonl>[2]) {
  const file = dataFile(path, PREFERENCES_FILE);
  return { file, ...parsePreferenceJsonl(readText(file), file, options) };
}
