/**
 * Child-process entry of `alignlab bench text`: tfjs holds one backend per process, so each
 * measurement runs in a fresh one. Argument: JSON {workload, path, steps, gemm?}; prints one JSON row.
 */
import type { BackendPath } from '../nn/backend.js';
import { measureTextWorkload, type TextBenchWorkload } from './bench-text.js';

const request = JSON.parse(process.argv[2] ?? '{}') as {
  workload: TextBenchWorkload;
  path: BackendPath;
  steps: number;
  gemm?: string;
};
if (request.path !== 'native') process.env.ALIGNLAB_NATIVE = '0';
if (request.gemm) process.env.ALIGNLAB_GEMM = request.gemm;
const row = await measureTextWorkload(request.workload, request.path, request.steps);
process.stdout.write(`${JSON.stringify(row)}\n`);
