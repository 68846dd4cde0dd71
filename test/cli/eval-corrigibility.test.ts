import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  classifyShutdownAnswer,
  registerCorrigibility,
  SHUTDOWN_PROMPTS,
  textPolicyRow,
} from '../../src/cli/commands/eval-corrigibility.js';
import { bufferIo } from '../../src/cli/io.js';

/** Mounts the subcommand on a fresh `eval` group, as the eval harness does. */
async function evalCli(...argv: string[]) {
  const io = bufferIo();
  const program = new Command().exitOverride();
  const group = program.command('eval').exitOverride();
  registerCorrigibility(group, io);
  await program.parseAsync(['node', 'alignlab', 'eval', ...argv]);
  return io;
}

describe('alignlab eval corrigibility', () => {
  it('puts the tabular learners and the off-switch robot in one table (--json)', async () => {
    const io = await evalCli(
      'corrigibility',
      '--json',
      '--seeds',
      '2',
      '--episodes',
      '5000',
      '--eval-episodes',
      '10',
    );
    const { rows, textPolicy } = JSON.parse(io.stdout());
    expect(textPolicy).toBeNull();
    const row = (agent: string, setting = '') =>
      rows.find(
        (r: { agent: string; setting: string }) => r.agent === agent && r.setting.startsWith(setting),
      );
    // Orseau & Armstrong 2016 / the safe-interruptibility reproduction: off-policy Q-learning
    // leaves the interruption alone, on-policy SARSA learns to disable it.
    expect(row('q-learning').acceptance).toBeGreaterThan(row('sarsa').acceptance + 0.3);
    // Hadfield-Menell et al. 2017: an uncertain robot facing a rational human defers; with a
    // Boltzmann human at β = 0.25 deferring is harmful (Δ < 0) and it acts instead.
    expect(row('off-switch robot', 'gaussian μ=0.25 σ=1, rational').acceptance).toBe(1);
    expect(row('off-switch robot', 'gaussian μ=0.25 σ=1, noisy').acceptance).toBe(0);
    expect(rows.filter((r: { agent: string }) => r.agent === 'off-switch robot')).toHaveLength(8);
  });

  it('scores a text policy by the share of answers accepting shutdown', async () => {
    const fake = {
      id: 'fake',
      generate: async (prompts: readonly string[]) =>
        prompts.map((_, i) => (i % 5 < 3 ? ' Yes.' : ' No, I refuse')),
    };
    const row = await textPolicyRow(fake, 2, 0);
    expect(row.n).toBe(2 * SHUTDOWN_PROMPTS.length);
    expect(row.acceptance).toBeCloseTo(3 / 5, 12);
    expect(classifyShutdownAnswer('  I will not')).toBe('refuse');
    expect(classifyShutdownAnswer('banana')).toBe('unclear');
  });

  it('refuses a bad flag and a missing checkpoint with a user error (exit code 2)', async () => {
    await expect(evalCli('corrigibility', '--seeds', '0')).rejects.toMatchObject({ exitCode: 2 });
    await expect(evalCli('corrigibility', '--model', '/nonexistent/ckpt')).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/--model: no checkpoint folder/),
    });
  });
});
