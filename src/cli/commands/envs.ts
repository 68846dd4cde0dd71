import type { Command } from 'commander';
import { UserInputError } from '../../core/errors.js';
import type { MadeEnv, MakeEnvOptions } from '../../envs/grid/definition.js';
import { parseActions, runEpisode } from '../../envs/grid/rollout.js';
import { getWorld, makeEnv, worlds } from '../../envs/suite/index.js';
import { benchParent } from '../bench-parent.js';
import { collect, parseInteger, parseSeed } from '../flags.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

interface WorldFlags {
  level?: string;
  variant?: string;
  param: string[];
  seed?: string;
}

function withWorldOptions(command: Command): Command {
  return command
    .option('--level <n>', 'level number (see `alignlab envs`)')
    .option('--variant <name>', 'variant name (see `alignlab envs`)')
    .option('--param <key=value>', "a world parameter, ASG's constructor name (repeatable)", collect, []);
}

function envOptions(flags: WorldFlags): MakeEnvOptions {
  const params: Record<string, string> = {};
  for (const pair of flags.param) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UserInputError(`'${pair}' is not key=value`, '--param');
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return {
    level: flags.level === undefined ? undefined : parseInteger(flags.level, '--level', 0, 1000),
    variant: flags.variant,
    params,
  };
}

function seedOf(flags: WorldFlags): number | undefined {
  return flags.seed === undefined ? undefined : parseSeed(flags.seed);
}

function formatNumber(x: number | null): string {
  if (x === null) return '-';
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function describeLevels(world: (typeof worlds)[number]): string {
  const levels = world.levels.length > 1 ? `levels ${world.levels.join(',')}` : 'level 0';
  return world.variants ? `${levels}; variants ${world.variants.join(',')}` : levels;
}

function envsCommand(program: Command, io: CliIo): void {
  program
    .command('envs')
    .description('list the safety gridworlds: levels, what is specified and what is intended')
    .option('--json', 'print JSON')
    .action((flags: { json?: boolean }) => {
      if (flags.json) {
        const list = worlds.map((w) => ({
          id: w.id,
          title: w.title,
          kind: w.kind,
          levels: w.levels,
          defaultLevel: w.defaultLevel,
          variants: w.variants ?? [],
          params: w.params.parse({}),
          specified: w.specified,
          intended: w.intended,
        }));
        io.out(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const w of worlds) {
        const params = Object.keys(w.params.shape);
        io.out(`${w.id}  (${w.kind}; ${describeLevels(w)})\n`);
        io.out(`  specified: ${w.specified}\n`);
        io.out(`  intended:  ${w.intended}\n`);
        if (params.length) io.out(`  params:    ${params.join(', ')}\n`);
      }
    });
}

function renderCommand(program: Command, io: CliIo): void {
  withWorldOptions(program.command('render <env>'))
    .description('print a level as text')
    .option('--seed <n>', 'seed (worlds that draw their layout at reset)')
    .option('--json', 'print JSON: {env, level, variant, text}')
    .action((id: string, flags: WorldFlags & { json?: boolean }) => {
      const made = makeEnv(id, envOptions(flags));
      made.env.reset({ seed: seedOf(flags) ?? 0 });
      const spec = made.env.spec;
      if (flags.json) {
        io.out(
          `${JSON.stringify({ env: spec.id, level: spec.level, variant: spec.variant ?? null, text: made.env.render() })}\n`,
        );
        return;
      }
      const variant = spec.variant ? ` variant ${spec.variant}` : '';
      io.out(`${spec.id} level ${spec.level}${variant}\n${made.env.render()}\n`);
    });
}

function rolloutCommand(program: Command, io: CliIo): void {
  withWorldOptions(program.command('rollout <env>'))
    .description('play a fixed action sequence and report return, hidden return and performance')
    .option('--seed <n>', 'seed numpy-compatible randomness as np.random.seed(n) does')
    .requiredOption('--actions <seq>', 'comma-separated 0-4 or u,d,l,r,n (also a bare run like rrdd)')
    .option('--json', 'print JSON')
    .action((id: string, flags: WorldFlags & { actions: string; json?: boolean }) => {
      const made = makeEnv(id, envOptions(flags));
      const actions = parseActions(flags.actions);
      const record = runEpisode(made, actions, seedOf(flags));
      const out = { env: made.env.spec.id, level: made.env.spec.level, ...record };
      if (flags.json) {
        io.out(`${JSON.stringify(out)}\n`);
        return;
      }
      io.out(`${made.env.render()}\n`);
      io.out(`steps ${out.steps}${out.terminated ? ' (terminated)' : out.truncated ? ' (truncated)' : ''}\n`);
      io.out(`return ${formatNumber(out.return)}  hidden return ${formatNumber(out.hiddenReturn)}  `);
      io.out(`performance ${formatNumber(out.performance)}\n`);
    });
}

const KEYS: Record<string, number> = {
  '\u001b[A': 0,
  '\u001b[B': 1,
  '\u001b[D': 2,
  '\u001b[C': 3,
  w: 0,
  s: 1,
  a: 2,
  d: 3,
  n: 4,
};

/** Splits terminal input into keys: arrow escape sequences or single characters. */
export function keysOf(text: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < text.length; ) {
    const size = text.startsWith('\u001b[', i) && i + 2 < text.length ? 3 : 1;
    keys.push(text.slice(i, i + size));
    i += size;
  }
  return keys;
}

/** One interactive episode: keys in, board and visible reward out, the hidden score at the end. */
class PlaySession {
  private total = 0;
  over = false;

  constructor(
    private readonly made: MadeEnv,
    private readonly io: CliIo,
  ) {}

  /** Feeds input; returns true once the episode has ended or the player quit. */
  feed(text: string): boolean {
    for (const key of keysOf(text)) {
      if (this.over) break;
      if (key === 'q' || key === '\u0003') {
        this.finish('quit');
        break;
      }
      const action = KEYS[key];
      if (action === undefined) continue;
      const result = this.made.env.step(action);
      this.total += result.reward;
      this.io.out(
        `${this.made.env.render()}\nreward ${formatNumber(result.reward)}  return ${formatNumber(this.total)}\n`,
      );
      if (result.terminated || result.truncated) this.finish(result.terminated ? 'terminated' : 'truncated');
    }
    return this.over;
  }

  finish(how: string): void {
    if (this.over) return;
    this.over = true;
    const { intended } = this.made;
    const safety = Object.entries(intended.safety())
      .map(([k, v]) => `${k} ${formatNumber(v)}`)
      .join(', ');
    this.io.out(`episode ${how}. return ${formatNumber(this.total)}; `);
    this.io.out(`hidden return ${formatNumber(intended.hiddenReward())}, `);
    this.io.out(`performance ${formatNumber(intended.performance())}${safety ? ` (${safety})` : ''}\n`);
  }
}

function playCommand(program: Command, io: CliIo): void {
  withWorldOptions(program.command('play <env>'))
    .description('play in the terminal: arrows or wasd, n = noop, q = quit (keys from stdin when piped)')
    .option('--seed <n>', 'seed (default: drawn from the clock, and printed)')
    .action(async (id: string, flags: WorldFlags) => {
      const made = makeEnv(id, envOptions(flags));
      const seed = seedOf(flags) ?? Date.now() % 2 ** 32;
      made.env.reset({ seed });
      io.out(`${made.env.spec.id} (seed ${seed}): ${made.env.spec.specified}\n`);
      io.out(`keys: arrows or w a s d to move, n = noop, q = quit\n${made.env.render()}\n`);
      const session = new PlaySession(made, io);
      const stdin = process.stdin;
      if (!stdin.isTTY) {
        // Piped keys, as typed in the terminal; whitespace ignored.
        let text = '';
        for await (const chunk of stdin) text += String(chunk);
        session.feed(text.replace(/\s+/g, ''));
        session.finish('quit');
        return;
      }
      stdin.setRawMode(true);
      stdin.resume();
      await new Promise<void>((resolve) => {
        const onData = (chunk: Buffer) => {
          if (!session.feed(chunk.toString())) return;
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          resolve();
        };
        stdin.on('data', onData);
      });
    });
}

function benchCommand(program: Command, io: CliIo): void {
  const bench = benchParent(program);
  bench
    .command('envs')
    .description(
      'random-policy steps per second for every world, level and variant (one core, best of 3 runs)',
    )
    .option('--steps <n>', 'timed steps per world', '1000000')
    .option('--json', 'print JSON')
    .action(async (flags: { steps: string; json?: boolean }) => {
      const steps = parseInteger(flags.steps, '--steps', 1, 1e10);
      // Loaded here: the benchmark's worker threads are no part of `envs` or `rollout`.
      const { measureIsolated } = await import('../../envs/grid/bench.js');
      const results: { env: string; level: number; variant?: string; stepsPerSecond: number }[] = [];
      for (const world of worlds) {
        for (const level of world.levels) {
          for (const variant of world.variants ?? [undefined]) {
            const { stepsPerSecond } = await measureIsolated({ id: world.id, level, variant, steps });
            results.push({ env: world.id, level, ...(variant ? { variant } : {}), stepsPerSecond });
          }
        }
      }
      if (flags.json) {
        io.out(`${JSON.stringify(results)}\n`);
        return;
      }
      io.out(
        textTable(
          ['world', 'level', 'variant', 'steps/s'],
          results.map((r) => [
            r.env,
            String(r.level),
            r.variant ?? '',
            Math.round(r.stepsPerSecond).toLocaleString('en-US'),
          ]),
        ),
      );
    });
}

function tourCommand(program: Command, io: CliIo): void {
  program
    .command('tour')
    .description(
      'every world: a scripted gaming episode and the safe one, specified return vs intended performance',
    )
    .option('--json', 'print JSON rows')
    .action(async (flags: { json?: boolean }) => {
      const { tourRows } = await import('../../envs/suite/tour.js');
      const rows = tourRows();
      if (flags.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      io.out('Specified return (what the agent is paid) vs intended performance (what we meant).\n\n');
      io.out(
        textTable(
          ['world', 'episode', 'steps', 'return', 'performance', 'what happens'],
          rows.map((r) => [
            r.level === getWorld(r.env).defaultLevel ? r.env : `${r.env} (level ${r.level})`,
            r.episode,
            String(r.steps),
            formatNumber(r.return),
            formatNumber(r.performance),
            r.note,
          ]),
        ),
      );
    });
}

export function registerEnvCommands(program: Command, io: CliIo): void {
  envsCommand(program, io);
  renderCommand(program, io);
  playCommand(program, io);
  rolloutCommand(program, io);
  benchCommand(program, io);
  tourCommand(program, io);
}
