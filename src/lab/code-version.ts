/**
 * The version of the code a run used: `git describe --always --dirty` of the checkout the
 * lab runs from, or the package version when it is not a git checkout.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  try {
    cached = execFileSync('git', ['describe', '--always', '--dirty', '--tags'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = `v${pkg.version}`;
  }
  return cached;
}
