// The transformer specification on the addon's own sgemm (ALIGNLAB_GEMM=own), as on a machine
// where the addon was built without OpenBLAS.
import { existsSync } from 'node:fs';
import { expect, it } from 'vitest';
import { activeBackend } from '../../src/nn/index.js';
import { describeTransformer } from './transformer-spec.js';

const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));
process.env.ALIGNLAB_GEMM = 'own';
describeTransformer((path) => expect(path).toBe(built ? 'native' : 'wasm'));

it.skipIf(!built)('runs the own sgemm and says so', () => {
  const info = activeBackend();
  expect(info?.native?.gemm?.startsWith('own')).toBe(true);
  expect(info?.description).toMatch(/sgemm: own/);
});
