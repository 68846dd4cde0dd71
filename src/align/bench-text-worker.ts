/**
 * Child-process entry of `alignlab bench text`: tfjs holds one backend per process, so each
 * measurement runs in a fresh one. Argument: JSON {workload, path, steps, gemm?, clock?}; prints one JSON row.
 */
import type { BackendPath } from '../nn/backend.js';
import { type BenchClock, measureTextWorkload, type TextBenchWorkload } from './bench-text.js';

const request = JSON.parse(process.argv[2] ?? '{}') as {
  workload: TextBenchWorkload;
  path: BackendPath;
  steps: number;
  gemm?: string;
  clock?: BenchClock;
};
if (request.path !== 'native') process.env.ALIGNLAB_NATIVE = '0';
if (request.gemm) process.env.ALIGNLAB_GEMM = request.gemm;
const row = await measureTextWorkload(request.workload, request.path, request.steps, request.clock ?? 'wall');
process.stdout.write(`${JSON.stringify(row)}\n`);
