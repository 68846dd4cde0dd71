// Shared by the sgemm tests: cases and a naive float64 reference.
import type { Rng } from '../../src/core/rng.js';

export interface GemmAddon {
  gemm(
    a: Float32Array,
    b: Float32Array,
    c: Float32Array,
    batch: number,
    m: number,
    n: number,
    k: number,
    transA: number,
    transB: number,
    aBatchStride: number,
    bBatchStride: number,
  ): void;
  setGemm(name: string): string;
  gemmInfo(): { kernel: string; openblas: boolean; avx2: boolean };
}

/** [batch, m, n, k, transA, transB, broadcast A, broadcast B]. */
type Case = [number, number, number, number, 0 | 1, 0 | 1, boolean, boolean];

const shapes: [number, number, number][] = [
  [1, 1, 1],
  [7, 13, 5],
  [6, 16, 1], // exactly one micro-tile
  [13, 33, 300], // k crosses the 256-deep block
  [125, 17, 9], // m crosses the 120-row block
  [3, 3100, 2], // n crosses the 3072-column block
  [130, 40, 300], // large: the row and depth block boundaries at once
];

export const gemmCases: Case[] = [
  ...shapes.flatMap(([m, n, k]) =>
    ([0, 1] as const).flatMap((ta) =>
      ([0, 1] as const).map((tb): Case => [1, m, n, k, ta, tb, false, false]),
    ),
  ),
  [4, 9, 11, 7, 0, 1, false, false], // batched, as attention's q·kᵀ
  [3, 5, 6, 8, 0, 0, false, true], // B shared across the batch
  [3, 5, 6, 8, 1, 0, true, false], // A shared across the batch
];

/** max over entries of |ours − exact| / Σ_p |a_ip·b_pj|, over all cases. */
export function maxScaledError(lib: GemmAddon, rng: Rng, cases: readonly Case[]): number {
  let worst = 0;
  for (const [batch, m, n, k, ta, tb, shareA, shareB] of cases) {
    const random = (length: number) => Float32Array.from({ length }, () => rng.normal());
    const a = random((shareA ? 1 : batch) * m * k);
    const b = random((shareB ? 1 : batch) * k * n);
    const c = new Float32Array(batch * m * n).fill(Number.NaN);
    lib.gemm(a, b, c, batch, m, n, k, ta, tb, shareA ? 0 : m * k, shareB ? 0 : k * n);
    for (let q = 0; q < batch; q++) {
      const ao = shareA ? 0 : q * m * k;
      const bo = shareB ? 0 : q * k * n;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let exact = 0;
          let scale = 0;
          for (let p = 0; p < k; p++) {
            const x = a[ao + (ta ? p * m + i : i * k + p)];
            const y = b[bo + (tb ? j * k + p : p * n + j)];
            exact += x * y;
            scale += Math.abs(x * y);
          }
          const got = c[q * m * n + i * n + j];
          // NaN (an entry never written) must not vanish in the max.
          worst = Number.isFinite(got)
            ? Math.max(worst, Math.abs(got - exact) / scale)
            : Number.POSITIVE_INFINITY;
        }
    }
  }
  return worst;
}
