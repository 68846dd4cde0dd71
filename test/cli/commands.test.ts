import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { commandModules, loadCommands } from '../../src/cli/commands/index.js';
import { bufferIo } from '../../src/cli/io.js';

describe('lazy command modules', () => {
  it('each module registers exactly the top-level commands it declares', async () => {
    for (const module of commandModules) {
      const program = new Command();
      (await module.load())(program, bufferIo());
      expect(program.commands.map((c) => c.name()).sort()).toEqual([...module.commands].sort());
    }
  });

  it('loads only the modules that declare the first word (with its --help), none for --version, all for help or a typo', async () => {
    expect(await loadCommands(['rollout', 'boat-race'])).toHaveLength(1);
    expect(await loadCommands(['reproduce', '--quick'])).toHaveLength(1);
    expect((await loadCommands(['bench', 'envs'])).length).toBe(
      commandModules.filter((m) => m.commands.includes('bench')).length,
    );
    expect(await loadCommands([])).toHaveLength(commandModules.length);
    expect(await loadCommands(['--version'])).toHaveLength(0);
    expect(await loadCommands(['--help'])).toHaveLength(commandModules.length);
    expect(await loadCommands(['rollot'])).toHaveLength(commandModules.length);
    expect(await loadCommands(['rollout', '--help'])).toHaveLength(1);
  });
});
