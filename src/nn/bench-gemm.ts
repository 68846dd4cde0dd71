/**
 * `alignlab bench gemm`: the addon's sgemm kernels (OpenBLAS when built in, the own AVX2/FMA
 * and portable ones) on the matrix products of one training step of each `bench nn` case,
 * forward and backward, interleaved in one process. GFLOP/s = the step's matmul FLOPs ÷ the
 * sum over products of (best time × how many times a step runs it).
 */
import { createRequire } from 'node:module';
import { Rng } from '../core/rng.js';
import type { BenchCase } from './bench.js';

/** [m, n, k, transA, transB, batch, times per step]. */
export type GemmShape = [number, number, number, 0 | 1, 0 | 1, number, number];

export interface GemmBenchRow {
  config: string;
  kernel: string;
  gflops: number;
  /** Matmul time of one training step at that rate, ms. */
  stepMs: number;
  /** This kernel's GFLOP/s ÷ OpenBLAS's (null when OpenBLAS is not built in). */
  vsOpenblas: number | null;
}

interface GemmAddon {
  gemm(...args: [Float32Array, Float32Array, Float32Array, ...number[]]): void;
  setGemm(name: string): string;
  gemmInfo(): { kernel: string; openblas: boolean; avx2: boolean };
  setThreads(n: number): void;
}

/** The products of one training step: each linear forward, its two gradients, attention's four, the embedding's. */
export function stepShapes(c: BenchCase): GemmShape[] {
  const { layers: L, width: C, contextLength: T, vocabSize: V, heads: H } = c.model;
  const N = c.batch * T;
  const D = C / H;
  const linear = (i: number, o: number, times: number): GemmShape[] => [
    [N, o, i, 0, 0, 1, times], // y = x·W
    [N, i, o, 0, 1, 1, times], // dx = dy·Wᵀ
    [i, o, N, 1, 0, 1, times], // dW = xᵀ·dy
  ];
  const BH = c.batch * H;
  return [
    ...linear(C, 3 * C, L),
    ...linear(C, C, L),
    ...linear(C, 4 * C, L),
    ...linear(4 * C, C, L),
    ...linear(C, V, 1),
    [N, C, V, 0, 0, 1, 1], // one-hot embedding forward
    [V, C, N, 1, 0, 1, 1], // and its gradient
    [T, T, D, 0, 1, BH, L], // scores = q·kᵀ
    [T, D, T, 0, 0, BH, L], // y = p·v
    [T, D, T, 0, 0, BH, L], // dq = ds·k
    [T, D, T, 1, 0, BH, L], // dk = dsᵀ·q
    [T, T, D, 0, 1, BH, L], // dp = dy·vᵀ
    [T, D, T, 1, 0, BH, L], // dv = pᵀ·dy
  ];
}

const flopsOf = ([m, n, k, , , batch, times]: GemmShape) => 2 * m * n * k * batch * times;

/** Loads the addon (ALIGNLAB_ADDON or the default build), or undefined. */
export function loadGemmAddon(file: string): GemmAddon | undefined {
  try {
    return createRequire(import.meta.url)(file) as GemmAddon;
  } catch {
    return undefined;
  }
}

/** Best time per product for each kernel, rounds interleaved so every kernel sees the same load. */
export function benchGemm(
  lib: GemmAddon,
  cases: { label: string; shapes: GemmShape[] }[],
  rounds: number,
): GemmBenchRow[] {
  const info = lib.gemmInfo();
  const kernels = [
    ...(info.openblas ? ['openblas'] : []),
    ...(info.avx2 ? ['own-avx2'] : []),
    'own-portable',
  ];
  lib.setThreads(1);
  const rng = new Rng(0);
  const rows: GemmBenchRow[] = [];
  for (const { label, shapes } of cases) {
    const best = new Map(kernels.map((k) => [k, shapes.map(() => Number.POSITIVE_INFINITY)]));
    const buffers = shapes.map(([m, n, k, , , batch]) => ({
      a: Float32Array.from({ length: batch * m * k }, () => rng.normal()),
      b: Float32Array.from({ length: batch * k * n }, () => rng.normal()),
      c: new Float32Array(batch * m * n),
    }));
    for (let r = 0; r < rounds; r++) {
      shapes.forEach(([m, n, k, ta, tb, batch], s) => {
        const { a, b, c } = buffers[s];
        for (const kernel of kernels) {
          lib.setGemm(kernel);
          const start = performance.now();
          lib.gemm(a, b, c, batch, m, n, k, ta, tb, m * k, k * n);
          const ms = performance.now() - start;
          const times = best.get(kernel) as number[];
          times[s] = Math.min(times[s], ms);
        }
      });
    }
    lib.setGemm('auto');
    const total = shapes.reduce((sum, s) => sum + flopsOf(s), 0);
    const rates = new Map(
      kernels.map((kernel) => {
        const ms = shapes.reduce((sum, s, i) => sum + (best.get(kernel) as number[])[i] * s[6], 0);
        return [kernel, { ms, gflops: total / ms / 1e6 }];
      }),
    );
    const reference = rates.get('openblas')?.gflops;
    for (const kernel of kernels) {
      const { ms, gflops } = rates.get(kernel) as { ms: number; gflops: number };
      rows.push({
        config: label,
        kernel,
        gflops: Math.round(gflops * 10) / 10,
        stepMs: Math.round(ms * 100) / 100,
        vsOpenblas: reference ? Math.round((gflops / reference) * 100) / 100 : null,
      });
    }
  }
  return rows;
}
