import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Command } from 'commander';
import { choicesHint, UserInputError } from '../../core/errors.js';
import type { BenchRow } from '../../nn/bench.js';
import type { CliIo } from '../io.js';
import { registerTextBench } from './bench-text.js';

const run = promisify(execFile);
const packageFile = (relative: string) => fileURLToPath(new URL(`../../../${relative}`, import.meta.url));
const addonFile = () => packageFile('native/build/Release/alignlab_native.node');
const torchPeer = () => packageFile('bench/peers/torch_gpt.py');
const torchConvPeer = () => packageFile('bench/peers/torch_conv.py');
/**
 * The Python that runs the PyTorch peers: ALIGNLAB_PYTHON, else `python3` on PATH (no fixed
 * interpreter path: a virtualenv or another distribution's Python works the same way).
 */
export let PYTHON = process.env.ALIGNLAB_PYTHON || 'python3';
let torchProbe: Promise<boolean> | undefined;

async function importsTorch(python: string): Promise<boolean> {
  try {
    await run(python, ['-c', 'import torch'], { timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

/** Whether some Python imports torch (and the peer scripts are there); picks PYTHON. */
export function pytorchAvailable(): Promise<boolean> {
  torchProbe ??= (async () => {
    if (!existsSync(torchPeer())) return false;
    const python = process.env.ALIGNLAB_PYTHON || 'python3';
    if (!(await importsTorch(python))) return false;
    PYTHON = python;
    return true;
  })();
  return torchProbe;
}

/** Why the PyTorch peer is skipped, in one line. */
export function pytorchMissing(): string {
  const where = process.env.ALIGNLAB_PYTHON
    ? `ALIGNLAB_PYTHON=${process.env.ALIGNLAB_PYTHON}`
    : 'python3 on PATH';
  return `PyTorch peer skipped: torch is not importable by ${where} (apt-get install -y python3-torch libopenblas0-pthread, or set ALIGNLAB_PYTHON)`;
}

const benchPaths = ['native', 'wasm', 'cpu', 'pytorch'] as const;
type BenchPath = (typeof benchPaths)[number];

/** One measurement in a fresh process (tfjs keeps one backend per process). */
async function measure(
  caseName: string,
  path: BenchPath,
  steps: number,
  gemm: string | undefined,
  clock: 'cpu' | 'wall',
): Promise<BenchRow> {
  // Loaded on use: tfjs takes a second to import, and most commands do not need it.
  const bench = await import('../../nn/bench.js');
  const { benchCases, describeCase, trainStepFlops } = bench;
  if (caseName === 'conv' && path === 'pytorch') {
    if (!(await pytorchAvailable())) throw new Error(pytorchMissing());
    const c = bench.convBenchCase();
    const [size, , channels] = c.net.input;
    const layers = c.net.layers;
    const filters = layers.flatMap((l) => (l.kind === 'conv' ? [l.filters] : []));
    const units = layers.flatMap((l) => (l.kind === 'dense' ? [l.units] : []));
    const rate = layers.find((l) => l.kind === 'dropout')?.rate ?? 0;
    const args = [torchConvPeer(), '--size', size, '--channels', channels, '--conv1', filters[0]];
    args.push('--conv2', filters[1], '--hidden', units[0], '--classes', units[1], '--dropout', rate);
    args.push('--batch', c.batch, '--steps', steps, '--threads', 1, '--clock', clock);
    args.push('--config', bench.describeConvCase(c));
    const { stdout } = await run(PYTHON, args.map(String), { timeout: 600_000 });
    const row = JSON.parse(stdout.trim().split('\n').pop() as string) as { stepMs: number; steps: number };
    return {
      config: bench.describeConvCase(c),
      path,
      stepMs: row.stepMs,
      stepsPerSecond: Math.round((1000 / row.stepMs) * 100) / 100,
      imagesPerSecond: Math.round((c.batch * 1000) / row.stepMs),
      gflops: Math.round((bench.convTrainStepFlops(c) / row.stepMs / 1e6) * 100) / 100,
      steps: row.steps,
    };
  }
  const c = benchCases().find((x) => x.name === caseName);
  if (!c && caseName !== 'conv') throw new Error(`unknown case ${caseName}`);
  if (c && path === 'pytorch') {
    if (!(await pytorchAvailable())) throw new Error(pytorchMissing());
    const m = c.model;
    const args = [torchPeer(), '--vocab', m.vocabSize, '--context', m.contextLength, '--layers', m.layers];
    args.push('--heads', m.heads, '--width', m.width, '--batch', c.batch, '--steps', steps, '--threads', 1);
    args.push('--clock', clock);
    const { stdout } = await run(PYTHON, args.map(String), { timeout: 600_000 });
    const row = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      stepMs: number;
      tokensPerSecond: number;
    };
    return {
      config: describeCase(c),
      path,
      stepMs: row.stepMs,
      stepsPerSecond: Math.round((1000 / row.stepMs) * 100) / 100,
      tokensPerSecond: row.tokensPerSecond,
      gflops: Math.round((trainStepFlops(c) / row.stepMs / 1e6) * 100) / 100,
      steps,
    };
  }
  const worker = fileURLToPath(new URL('../../nn/bench-worker.js', import.meta.url));
  if (!existsSync(worker)) throw new Error(`${worker} is missing: run npm run build`);
  const { stdout } = await run(
    process.execPath,
    [worker, JSON.stringify({ caseName, path, steps, gemm, clock })],
    {
      timeout: 600_000,
    },
  );
  return { ...(JSON.parse(stdout.trim().split('\n').pop() as string) as BenchRow), gemm };
}

function parseList<T extends string>(text: string, valid: readonly T[], flag: string): T[] {
  const items = text.split(',').map((s) => s.trim());
  for (const item of items) {
    if (!(valid as readonly string[]).includes(item)) {
      throw new UserInputError(`unknown value '${item}' (${choicesHint(valid)})`, flag);
    }
  }
  return items as T[];
}

function parseCount(text: string, flag: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new UserInputError(`'${text}' is not an integer in [1, 1000]`, flag);
  }
  return Number(text);
}

interface BenchFlags {
  json?: boolean;
  steps: string;
  wasmSteps: string;
  repeats: string;
  paths?: string;
  cases: string;
  gemm?: string;
  clock: string;
}

const gemmChoices = ['auto', 'openblas', 'own', 'own-avx2', 'own-portable'] as const;

/** Which sgemm kernels the built addon has (read from it without starting tfjs). */
async function builtGemms(): Promise<string[]> {
  try {
    const { createRequire } = await import('node:module');
    const lib = createRequire(import.meta.url)(process.env.ALIGNLAB_ADDON || addonFile()) as {
      gemmInfo?: () => { openblas: boolean };
    };
    return lib.gemmInfo?.().openblas ? ['openblas', 'own'] : ['own'];
  } catch {
    return ['auto'];
  }
}

type Row = BenchRow & { vsPytorch: number | null };

export function registerNnCommands(program: Command, io: CliIo): void {
  program
    .command('doctor')
    .description('which tensor path is active (native, wasm, cpu), which sgemm it uses, and why')
    .action(async () => {
      const { initBackend } = await import('../../nn/backend.js');
      const info = await initBackend();
      io.out(`node ${process.version} ${process.platform}-${process.arch}\n`);
      io.out(`tensor path: ${info.description}\n`);
      const file = process.env.ALIGNLAB_ADDON || addonFile();
      io.out(
        `native addon: ${existsSync(file) ? file : 'not built (needs a C compiler and node-gyp at npm install)'}\n`,
      );
      if (info.native?.ok) {
        io.out(
          `sgemm: ${info.native.gemm} (OpenBLAS ${info.native.openblas ? 'built in' : 'not built in: the own kernel needs none'}; ALIGNLAB_GEMM=${process.env.ALIGNLAB_GEMM || 'auto'})\n`,
        );
      }
      if (process.env.ALIGNLAB_NATIVE === '0') io.out('ALIGNLAB_NATIVE=0: the native path is switched off\n');
    });

  const bench =
    program.commands.find((c) => c.name() === 'bench') ??
    program.command('bench').description('throughput benchmarks');
  bench
    .command('nn')
    .description(
      'training-step time per path of the transformers and the conv judge, beside a PyTorch reference (best of runs)',
    )
    .option(
      '--json',
      'print JSON rows {config, path, gemm, stepMs, stepsPerSecond, tokensPerSecond | imagesPerSecond, gflops, steps, vsPytorch}',
    )
    .option('--steps <n>', 'timed steps per run (native, cpu, pytorch)', '5')
    .option('--wasm-steps <n>', 'timed steps per run on the slow wasm path', '2')
    .option('--repeats <n>', 'runs per path, interleaved; the best is reported', '3')
    .option(
      '--paths <list>',
      `comma-separated subset of: ${benchPaths.join(', ')} (default: native, wasm (not for conv), pytorch when available)`,
    )
    .option('--cases <list>', 'comma-separated subset of: tiny, wide, conv', 'tiny,wide,conv')
    .option(
      '--gemm <list>',
      `native sgemm(s), one row each (${gemmChoices.join(', ')}; default: openblas and own when OpenBLAS is built in)`,
    )
    .option(
      '--clock <clock>',
      "cpu: each process's CPU time (steady on a shared machine); wall: elapsed time (both sides alike)",
      'cpu',
    )
    .action(async (flags: BenchFlags) => {
      const clock = parseList(flags.clock, ['cpu', 'wall'] as const, '--clock')[0];
      const steps = parseCount(flags.steps, '--steps');
      const wasmSteps = parseCount(flags.wasmSteps, '--wasm-steps');
      const repeats = parseCount(flags.repeats, '--repeats');
      const cases = parseList(flags.cases, ['tiny', 'wide', 'conv'] as const, '--cases');
      let paths: BenchPath[];
      if (flags.paths) paths = parseList(flags.paths, benchPaths, '--paths');
      else {
        paths = existsSync(addonFile()) ? ['native', 'wasm'] : ['wasm'];
        if (await pytorchAvailable()) paths.push('pytorch');
        else io.err(`bench nn: ${pytorchMissing()}\n`);
        if (cases.includes('conv') && paths.includes('wasm'))
          io.err('bench nn: conv on wasm skipped (tens of seconds a step; --paths wasm measures it)\n');
      }
      // Without --paths, the conv judge is not run on wasm (its fallback ops take tens of seconds a step).
      const skip = (caseName: string, path: BenchPath) =>
        !flags.paths && caseName === 'conv' && path === 'wasm';
      const gemmList = flags.gemm ? parseList(flags.gemm, gemmChoices, '--gemm') : await builtGemms();
      // One entry per measured row: native once per sgemm.
      const variants: [BenchPath, string | undefined][] = paths.flatMap(
        (p): [BenchPath, string | undefined][] =>
          p === 'native' ? gemmList.map((g): [BenchPath, string] => [p, g]) : [[p, undefined]],
      );
      const best = new Map<string, BenchRow>();
      for (let r = 0; r < repeats; r++) {
        for (const caseName of cases) {
          for (const [path, gemm] of variants) {
            if (skip(caseName, path)) continue;
            try {
              const row = await measure(
                caseName,
                path,
                path === 'wasm' || path === 'cpu' ? wasmSteps : steps,
                gemm,
                clock,
              );
              const key = `${caseName}/${path}/${gemm ?? ''}`;
              const previous = best.get(key);
              if (!previous || row.stepMs < previous.stepMs) best.set(key, row);
            } catch (error) {
              const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
              io.err(`bench nn: ${caseName} on ${path} failed: ${message}\n`);
            }
          }
        }
      }
      const rows: Row[] = [];
      for (const caseName of cases) {
        const torch = best.get(`${caseName}/pytorch/`);
        for (const [path, gemm] of variants) {
          const row = best.get(`${caseName}/${path}/${gemm ?? ''}`);
          if (row)
            rows.push({
              ...row,
              vsPytorch: torch ? Math.round((row.stepMs / torch.stepMs) * 100) / 100 : null,
            });
        }
      }
      if (flags.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      const header = ['config', 'path', 'ms/step', 'steps/s', 'per second', 'GFLOP/s', '× PyTorch'];
      const cells = rows.map((r) => [
        r.config,
        r.gemm ? `${r.path} (${r.gemm})` : r.path,
        r.stepMs.toFixed(1),
        r.stepsPerSecond.toFixed(2),
        r.imagesPerSecond !== undefined ? `${r.imagesPerSecond} images` : `${r.tokensPerSecond} tokens`,
        r.gflops.toFixed(1),
        r.vsPytorch === null ? '-' : r.vsPytorch.toFixed(2),
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
      for (const line of [header, ...cells])
        io.out(`${line.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
      io.out(
        `best of ${repeats} interleaved runs, ${clock === 'cpu' ? 'CPU' : 'wall-clock'} ms; ratio = our ms/step ÷ PyTorch ms/step (1 thread)\n`,
      );
    });

  bench
    .command('gemm')
    .description(
      'sgemm GFLOP/s per kernel (OpenBLAS, own AVX2/FMA, own portable) on the matmuls of a bench nn step',
    )
    .option('--json', 'print JSON rows {config, kernel, gflops, stepMs, vsOpenblas}')
    .option('--rounds <n>', 'interleaved rounds; the best time per product is kept', '10')
    .option('--cases <list>', 'comma-separated subset of: tiny, wide', 'tiny,wide')
    .action(async (flags: { json?: boolean; rounds: string; cases: string }) => {
      const rounds = parseCount(flags.rounds, '--rounds');
      const caseNames = parseList(flags.cases, ['tiny', 'wide'] as const, '--cases');
      const { benchGemm, loadGemmAddon, stepShapes } = await import('../../nn/bench-gemm.js');
      const { benchCases, describeCase } = await import('../../nn/bench.js');
      const file = process.env.ALIGNLAB_ADDON || addonFile();
      const lib = loadGemmAddon(file);
      if (!lib?.gemmInfo)
        throw new UserInputError(
          `no native addon with an sgemm at ${file} (npm install builds it)`,
          'bench gemm',
        );
      const cases = benchCases()
        .filter((c) => (caseNames as string[]).includes(c.name))
        .map((c) => ({ label: describeCase(c), shapes: stepShapes(c) }));
      const rows = benchGemm(lib, cases, rounds);
      if (flags.json) {
        io.out(`${JSON.stringify(rows)}\n`);
        return;
      }
      const header = ['config', 'sgemm', 'GFLOP/s', 'matmul ms/step', '× OpenBLAS GFLOP/s'];
      const cells = rows.map((r) => [
        r.config,
        r.kernel,
        r.gflops.toFixed(1),
        r.stepMs.toFixed(1),
        r.vsOpenblas === null ? '-' : r.vsOpenblas.toFixed(2),
      ]);
      const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
      for (const line of [header, ...cells])
        io.out(`${line.map((c, i) => c.padEnd(widths[i])).join('  ')}\n`);
      io.out(`best of ${rounds} interleaved rounds per product, 1 thread\n`);
    });

  registerTextBench(bench, io, () => PYTHON, pytorchAvailable, pytorchMissing);
}
