// The addon's own sgemm (AVX2/FMA and portable micro-kernels) and OpenBLAS's, each against a
// naive float64 matmul on odd shapes, transposes, shapes larger than one cache block and
// batched products with a broadcast operand.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { type GemmAddon, gemmCases, maxScaledError } from './sgemm-spec.js';

const file = new URL('../../native/build/Release/alignlab_native.node', import.meta.url);
const built = existsSync(file);
const addon = built ? (createRequire(import.meta.url)(file.pathname) as GemmAddon) : undefined;

describe.skipIf(!built)('native sgemm', () => {
  const info = addon?.gemmInfo();
  const kernels = [
    'own-portable',
    ...(info?.avx2 ? ['own-avx2'] : []),
    ...(info?.openblas ? ['openblas'] : []),
  ];
  afterAll(() => addon?.setGemm('auto'));

  for (const kernel of kernels) {
    it(`${kernel} matches a naive matmul on every case`, () => {
      const lib = addon as GemmAddon;
      expect(lib.setGemm(kernel)).toBe(kernel);
      // Error scaled by Σ|a||b| per entry: float32 rounding gives ~k·2⁻²⁴ of it at worst; 1e-5
      // leaves room for any summation order and FMA contraction (k ≤ 300 here).
      expect(maxScaledError(lib, new Rng(11), gemmCases)).toBeLessThan(1e-5);
    });
  }

  it('own picks the AVX2/FMA kernel exactly when the CPU has AVX2 and FMA', () => {
    const lib = addon as GemmAddon;
    expect(lib.setGemm('own')).toBe(lib.gemmInfo().avx2 ? 'own-avx2' : 'own-portable');
  });

  it('auto is OpenBLAS when it is built in, else the own kernel', () => {
    const lib = addon as GemmAddon;
    const auto = lib.setGemm('auto');
    if (lib.gemmInfo().openblas) expect(auto).toBe('openblas');
    else expect(auto.startsWith('own')).toBe(true);
  });

  it('rejects an unknown kernel name', () => {
    expect(() => (addon as GemmAddon).setGemm('mkl')).toThrow(/unknown sgemm/);
  });
});
