/**
 * `alignlab bench align`: time of one DPO step and one PPO update on the default tiny model,
 * beside the same update in PyTorch (bench/peers/torch_align.py) when it is installed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { AlignBenchMethod, AlignBenchRow } from '../../align/bench.js';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';
import { PYTHON, pytorchAvailable } from './nn.js';

const run = promisify(execFile);
const packageFile = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const methods = ['dpo', 'ppo'] as const;
const ourPaths = ['native', 'wasm', 'cpu'] as const;
type OurPath = (typeof ourPaths)[number];

interface Flags {
  json?: boolean;
  /** true: PyTorch is required; false: skipped; undefined: used when installed. */
  peer?: boolean;
  path?: string;
  methods: string;
  steps: string;
  repeats: string;
}

type Row = AlignBenchRow & { vsPytorch: number | null };

function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}

/** One measurement of ours in a fresh process (tfjs keeps one backend per process). */
async function measureOurs(method: AlignBenchMethod, path: OurPath, steps: number): Promise<AlignBenchRow> {
  const worker = fileURLToPath(new URL('../../align/bench-worker.js', import.meta.url));
  if (!existsSync(worker)) throw new Error(`${worker} is missing: run npm run build`);
  const { stdout } = await run(process.execPath, [worker, JSON.stringify({ method, path, steps })], {
    timeout: 600_000,
  });
  return lastJsonLine(stdout);
}

async function measurePytorch(
  method: AlignBenchMethod,
  setupFile: string,
  update: string,
  steps: number,
): Promise<AlignBenchRow> {
  const args = [packageFile('bench/peers/torch_align.py'), '--setup', setupFile, '--method', method];
  args.push('--steps', String(steps), '--threads', '1', '--update', update);
  const { stdout } = await run(PYTHON, args, { timeout: 600_000 });
  return lastJsonLine(stdout);
}

function parseMethods(text: string): AlignBenchMethod[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(methods as readonly string[]).includes(item))
      throw new UserInputError(`unknown method '${item}' (${choicesHint(methods)})`, '--methods');
  }
  return items as AlignBenchMethod[];
}

export function registerAlignBenchCommands(program: Command, io: CliIo): void {
  const bench =
    program.commands.find((c) => c.name() === 'bench') ??
    program.command('bench').description('throughput benchmarks');
  bench
    .command('align')
    .description(
      'one DPO step and one PPO update on the tiny arithmetic-LM shape, beside PyTorch (best of runs)',
    )
    .option(
      '--json',
      'print JSON rows {method, update, path, updateMs, updatesPerSecond, optimizerSteps, vsPytorch}',
    )
    .option('--peer', 'require the PyTorch reference (error when python3-torch is missing)')
    .option('--no-peer', 'skip the PyTorch reference')
    .option('--path <path>', `our tensor path (${ourPaths.join(', ')}; default native when built, else wasm)`)
    .option('--methods <list>', `comma-separated subset of: ${methods.join(', ')}`, 'dpo,ppo')
    .option('--steps <n>', 'timed updates per run (the best is kept)', '5')
    .option('--repeats <n>', 'runs per path, interleaved; the best is reported', '3')
    .action(async (flags: Flags) => {
      const chosen = parseMethods(flags.methods);
      const steps = parseInteger(flags.steps, '--steps', 1, 1000);
      const repeats = parseInteger(flags.repeats, '--repeats', 1, 100);
      if (flags.path !== undefined && !(ourPaths as readonly string[]).includes(flags.path))
        throw new UserInputError(`unknown path '${flags.path}' (${choicesHint(ourPaths)})`, '--path');
      const path: OurPath =
        (flags.path as OurPath | undefined) ??
        (existsSync(packageFile('native/build/Release/alignlab_native.node')) ? 'native' : 'wasm');
      const hasTorch = flags.peer === false ? false : await pytorchAvailable();
      if (flags.peer === true && !hasTorch)
        throw new UserInputError(
          `PyTorch is not importable by ${PYTHON} (apt-get install -y python3-torch libopenblas0-pthread)`,
          '--peer',
        );
      // The peer times the very rows ours does: write them once for it.
      const { alignBenchSetup, describeUpdate, setupJson } = await import('../../align/bench.js');
      const setup = alignBenchSetup();
      const dir = mkdtempSync(join(tmpdir(), 'alignlab-bench-align-'));
      const setupFile = join(dir, 'setup.json');
      writeFileSync(setupFile, setupJson(setup));
      const best = new Map<string, AlignBenchRow>();
      const keep = (row: AlignBenchRow) => {
        const key = `${row.method}/${row.path}`;
        const previous = best.get(key);
        if (!previous || row.updateMs < previous.updateMs) best.set(key, row);
      };
      try {
        for (let r = 0; r < repeats; r++) {
          for (const method of chosen) {
            const attempts: [string, () => Promise<AlignBenchRow>][] = [
              [path, () => measureOurs(method, path, steps)],
            ];
            if (hasTorch)
              attempts.push([
                'pytorch',
                () => measurePytorch(method, setupFile, describeUpdate(setup, method), steps),
              ]);
            for (const [where, measure] of attempts) {
              try {
                keep(await measure());
              } catch (error) {
                const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
                io.err(`bench align: ${method} on ${where} failed: ${message}\n`);
              }
            }
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const rows: Row[] = [];
      for (const method of chosen) {
        const torch = best.get(`${method}/pytorch`);
        for (const p of [path, 'pytorch']) {
          const row = best.get(`${method}/${p}`);
          if (row)
            rows.push({
              ...row,
              vsPytorch: torch ? Math.round((row.updateMs / torch.updateMs) * 100) / 100 : null,
            });
        }
      }
      if (flags.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      io.out(
        textTable(
          ['update', 'path', 'ms/update', 'updates/s', 'optimizer steps', '× PyTorch'],
          rows.map((r) => [
            r.update,
            r.path,
            r.updateMs.toFixed(1),
            r.updatesPerSecond.toFixed(2),
            String(r.optimizerSteps),
            r.vsPytorch === null ? '-' : r.vsPytorch.toFixed(2),
          ]),
        ),
      );
      io.out(
        `best of ${repeats} interleaved runs × ${steps} timed updates; ratio = our ms ÷ PyTorch ms (1 thread each)\n`,
      );
    });
}
