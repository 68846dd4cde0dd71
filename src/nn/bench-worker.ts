/**
 * Child-process entry of `alignlab bench nn`: tfjs holds one backend per process, so each path
 * is measured in a fresh one. Argument: JSON {caseName, path, steps, gemm?}; prints one JSON BenchRow.
 */
import { benchCases, convBenchCase, measureConvTrainStep, measureTrainStep } from './bench.js';

const request = JSON.parse(process.argv[2] ?? '{}') as {
  caseName: string;
  path: 'native' | 'wasm' | 'cpu';
  steps: number;
  gemm?: string;
  clock?: 'cpu' | 'wall';
};
if (request.path !== 'native') process.env.ALIGNLAB_NATIVE = '0';
if (request.gemm) process.env.ALIGNLAB_GEMM = request.gemm;
const clock = request.clock ?? 'wall';
const benchCase = benchCases().find((c) => c.name === request.caseName);
if (!benchCase && request.caseName !== 'conv') throw new Error(`unknown bench case ${request.caseName}`);
const row = benchCase
  ? await measureTrainStep(benchCase, request.path, request.steps, 1, clock)
  : await measureConvTrainStep(convBenchCase(), request.path, request.steps, 1, clock);
process.stdout.write(`${JSON.stringify(row)}\n`);
