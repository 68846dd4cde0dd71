import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

async function script(shell: string): Promise<{ code: number; out: string; err: string }> {
  const io = bufferIo();
  const code = await runCli(['completion', shell], io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** What bash offers after typing `words` (the last one partial). */
function complete(bash: string, words: string[]): string[] {
  const program = `${bash}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _alignlab; echo "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', program], { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
}

describe('alignlab completion', () => {
  it('completes commands, subcommands, flags and experiment ids in bash', async () => {
    const { code, out } = await script('bash');
    expect(code).toBe(0);
    expect(complete(out, ['alignlab', 'repro'])).toEqual(['reproduce']);
    expect(complete(out, ['alignlab', 'reproduce', 'boat-r'])).toEqual(['boat-race']);
    expect(complete(out, ['alignlab', 'reproduce', '--qu'])).toEqual(['--quick', '--queue']);
    expect(complete(out, ['alignlab', 'runs', 'li'])).toEqual(['list']);
  });

  it('refuses an unknown shell in one line, exit 2', async () => {
    const { code, err } = await script('fish');
    expect(code).toBe(2);
    expect(err).toMatch(/unknown shell 'fish' \(.*choose one of: bash, zsh\)/);
  });
});
