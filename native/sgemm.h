#ifndef ALIGNLAB_SGEMM_H
#define ALIGNLAB_SGEMM_H
#include <stdint.h>

/** 1 when the CPU runs AVX2 and FMA (the fast micro-kernel), else 0. */
int alignlab_cpu_has_avx2_fma(void);

/**
 * C[m, n] = op(A) · op(B), row-major, C overwritten. A is [m, k] ([k, m] when trans_a), B is
 * [k, n] ([n, k] when trans_b). use_avx2 picks the AVX2/FMA micro-kernel (only when the CPU has
 * it). Returns 0, or -1 when the packing buffers cannot be allocated.
 */
int alignlab_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, const float *b,
                   float *c, int use_avx2);

#endif
