// The conv layers on the addon's own sgemm (ALIGNLAB_GEMM=own), as where the addon was built without OpenBLAS.
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { describeConv } from './conv-spec.js';

const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));
process.env.ALIGNLAB_GEMM = 'own';
describeConv((path) => expect(path).toBe(built ? 'native' : 'wasm'));
