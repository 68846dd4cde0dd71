// The local model's specification again on the portable path (wasm), as on a machine without OpenBLAS.
import { expect, it } from 'vitest';

process.env.ALIGNLAB_NATIVE = '0';
await import('./local-model.test.js');
const { activeBackend } = await import('../../src/nn/index.js');

it('ran on the wasm path', () => {
  expect(activeBackend()?.path).toBe('wasm');
});
