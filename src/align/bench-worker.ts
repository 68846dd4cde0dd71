/**
 * Child-process entry of `alignlab bench align`: tfjs holds one backend per process, so each
 * measurement runs in a fresh one. Argument: JSON {method, path, steps}; prints one JSON row.
 */
import type { BackendPath } from '../nn/backend.js';
import { type AlignBenchMethod, measureAlignUpdate } from './bench.js';

const request = JSON.parse(process.argv[2] ?? '{}') as {
  method: AlignBenchMethod;
  path: BackendPath;
  steps: number;
};
if (request.path !== 'native') process.env.ALIGNLAB_NATIVE = '0';
const row = await measureAlignUpdate(request.method, request.path, request.steps);
process.stdout.write(`${JSON.stringify(row)}\n`);
