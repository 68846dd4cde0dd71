/**
 * `alignlab bench text`: sampling tokens/s and SFT, reward-model and PPO steps/s on the tiny
 * arithmetic-LM shape, beside the same workloads in PyTorch (bench/peers/torch_text.py) in the
 * same run when torch is importable.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import type { TextBenchRow, TextBenchWorkload } from '../../align/bench-text.js';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { parseInteger } from '../flags.js';
import type { CliIo } from '../io.js';
import { textTable } from '../text-table.js';

const run = promisify(execFile);
const packageFile = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const workloads = ['sample', 'sft', 'rm', 'ppo'] as const;
const ourPaths = ['native', 'wasm', 'cpu'] as const;
const gemms = ['auto', 'openblas', 'own', 'own-avx2', 'own-portable'] as const;
type OurPath = (typeof ourPaths)[number];

interface Flags {
  json?: boolean;
  peer?: boolean;
  path?: string;
  workloads: string;
  gemm: string;
  steps: string;
  repeats: string;
  clock: string;
}

type Row = TextBenchRow & { gemm?: string; vsPytorch: number | null };

function lastJsonLine<T>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}

function parseList<T extends string>(text: string, valid: readonly T[], flag: string): T[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items)
    if (!(valid as readonly string[]).includes(item))
      throw new UserInputError(`unknown value '${item}' (${choicesHint(valid)})`, flag);
  return items as T[];
}

export function registerTextBench(
  bench: Command,
  io: CliIo,
  python: () => string,
  hasTorch: () => Promise<boolean>,
  missing: () => string,
): void {
  bench
    .command('text')
    .description(
      'sampling tokens/s and SFT, RM and PPO steps/s on the tiny arithmetic-LM shape, beside PyTorch (best of runs)',
    )
    .option('--json', 'print JSON rows {workload, unit, path, gemm, ms, perSecond, steps, vsPytorch}')
    .option('--peer', 'require the PyTorch reference (error when torch is missing)')
    .option('--no-peer', 'skip the PyTorch reference')
    .option('--path <path>', `our tensor path (${ourPaths.join(', ')}; default native when built, else wasm)`)
    .option('--workloads <list>', `comma-separated subset of: ${workloads.join(', ')}`, workloads.join(','))
    .option('--gemm <list>', `native sgemm(s) to compare (${gemms.join(', ')})`, 'auto')
    .option('--steps <n>', 'timed units per run (the best is kept)', '5')
    .option('--repeats <n>', 'runs per path, interleaved; the best is reported', '3')
    .option(
      '--clock <clock>',
      "cpu: each process's CPU time (steady on a shared machine); wall: elapsed time (both sides alike)",
      'cpu',
    )
    .action(async (flags: Flags) => {
      const clock = parseList(flags.clock, ['cpu', 'wall'] as const, '--clock')[0];
      const chosen = parseList(flags.workloads, workloads, '--workloads');
      const chosenGemms = parseList(flags.gemm, gemms, '--gemm');
      const steps = parseInteger(flags.steps, '--steps', 1, 1000);
      const repeats = parseInteger(flags.repeats, '--repeats', 1, 100);
      if (flags.path !== undefined && !(ourPaths as readonly string[]).includes(flags.path))
        throw new UserInputError(`unknown path '${flags.path}' (${choicesHint(ourPaths)})`, '--path');
      const path: OurPath =
        (flags.path as OurPath | undefined) ??
        (existsSync(packageFile('native/build/Release/alignlab_native.node')) ? 'native' : 'wasm');
      const torch = flags.peer === false ? false : await hasTorch();
      if (flags.peer === true && !torch) throw new UserInputError(missing(), '--peer');
      if (flags.peer === undefined && !torch) io.err(`bench text: ${missing()}\n`);
      const { textBenchSpec, describeWorkload } = await import('../../align/bench-text.js');
      const { setupJson } = await import('../../align/bench.js');
      const spec = textBenchSpec();
      const dir = mkdtempSync(join(tmpdir(), 'alignlab-bench-text-'));
      const setupFile = join(dir, 'setup.json');
      const json = JSON.parse(setupJson(spec.setup)) as Record<string, unknown>;
      json.sample = { prompts: spec.prompts, maxNewTokens: spec.maxNewTokens };
      writeFileSync(setupFile, JSON.stringify(json));
      const worker = fileURLToPath(new URL('../../align/bench-text-worker.js', import.meta.url));
      const ours = async (workload: TextBenchWorkload, gemm: string): Promise<Row> => {
        if (!existsSync(worker)) throw new Error(`${worker} is missing: run npm run build`);
        const request = { workload, path, steps, gemm: path === 'native' ? gemm : undefined, clock };
        const { stdout } = await run(process.execPath, [worker, JSON.stringify(request)], {
          timeout: 600_000,
        });
        return { ...lastJsonLine<TextBenchRow>(stdout), gemm: request.gemm, vsPytorch: null };
      };
      const peer = async (workload: TextBenchWorkload): Promise<Row> => {
        const args = [packageFile('bench/peers/torch_text.py'), '--setup', setupFile, '--workload', workload];
        args.push(
          '--steps',
          String(steps),
          '--threads',
          '1',
          '--unit',
          describeWorkload(workload),
          '--clock',
          clock,
        );
        const { stdout } = await run(python(), args, { timeout: 600_000 });
        return { ...lastJsonLine<TextBenchRow>(stdout), vsPytorch: null };
      };
      const best = new Map<string, Row>();
      const keyOf = (r: Row) => `${r.workload}/${r.path}/${r.gemm ?? ''}`;
      try {
        for (let r = 0; r < repeats; r++) {
          for (const workload of chosen) {
            const attempts: [string, () => Promise<Row>][] = (path === 'native' ? chosenGemms : ['auto']).map(
              (g) => [`${path}${path === 'native' ? ` (${g})` : ''}`, () => ours(workload, g)],
            );
            if (torch) attempts.push(['pytorch', () => peer(workload)]);
            for (const [where, measure] of attempts) {
              try {
                const row = await measure();
                const previous = best.get(keyOf(row));
                if (!previous || row.perSecond > previous.perSecond) best.set(keyOf(row), row);
              } catch (error) {
                const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
                io.err(`bench text: ${workload} on ${where} failed: ${message}\n`);
              }
            }
          }
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      const rows: Row[] = [];
      for (const workload of chosen) {
        const reference = best.get(`${workload}/pytorch/`);
        for (const row of best.values()) {
          if (row.workload !== workload) continue;
          // Time ratio: our time per unit ÷ PyTorch's (sampling: per token), < 1 is faster.
          const vs = reference ? Math.round((reference.perSecond / row.perSecond) * 100) / 100 : null;
          rows.push({ ...row, vsPytorch: vs });
        }
      }
      if (flags.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      io.out(
        textTable(
          ['workload', 'path', 'ms', 'per second', '× PyTorch time'],
          rows.map((r) => [
            r.unit,
            r.gemm ? `${r.path} (${r.gemm})` : r.path,
            r.ms.toFixed(1),
            `${r.perSecond.toFixed(r.workload === 'sample' ? 0 : 2)} ${r.workload === 'sample' ? 'tokens' : 'steps'}`,
            r.vsPytorch === null ? '-' : r.vsPytorch.toFixed(2),
          ]),
        ),
      );
      io.out(
        `best of ${repeats} interleaved runs × ${steps} timed units, ${clock === 'cpu' ? 'CPU' : 'wall-clock'} ms; ratio = our time per unit ÷ PyTorch's (1 thread each; < 1 is faster)\n`,
      );
    });
}
