// The addon's own single-precision GEMM, so the native path needs no BLAS library: C = op(A)·op(B),
// row-major, no alpha/beta. Blocked and packed as in BLIS (Van Zee & van de Geijn 2015; Goto &
// van de Geijn 2008): B is packed in KC×NC blocks of NR-column panels, A in MC×KC blocks of
// MR-row panels, and a 6×16 micro-kernel keeps its C tile in 12 registers. The micro-kernel is
// AVX2/FMA (compiled with a function target attribute and chosen when the CPU has both), or
// portable C that any compiler vectorizes as it can.
#include "sgemm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ALIGNLAB_X86 1
#endif

#define MR 6
#define NR 16
// KC·NR·4 bytes of B (16 KB) stay in L1 while a micro-panel of A streams; MC·KC·4 (~120 KB) of A
// stays in L2; KC·NC·4 of B (3 MB) in L3.
#define KC 256
#define MC 120
#define NC 3072

typedef void (*micro_kernel)(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int accumulate);

// Portable micro-kernel: the same packed layout and tile, in GNU C vector types that GCC and
// Clang lower to whatever the target has (SSE2 pairs on baseline x86-64, NEON on arm64).
typedef float vec8 __attribute__((vector_size(32), aligned(4)));

static void kernel_portable(int64_t kc, const float *a, const float *b, float *c, int64_t ldc, int accumulate) {
  vec8 acc[MR][2];
  memset(acc, 0, sizeof(acc));
  for (int64_t p = 0; p < kc; p++) {
    vec8 b0, b1;
    memcpy(&b0, b + p * NR, sizeof(b0));
    memcpy(&b1, b + p * NR + 8, sizeof(b1));
    const float *ap = a + p * MR;
    for (int i = 0; i < MR; i++) {
      acc[i][0] += ap[i] * b0;
      acc[i][1] += ap[i] * b1;
    }
  }
  for (int i = 0; i < MR; i++) {
    float *ci = c + i * ldc;
    if (accumulate) {
      vec8 lo, hi;
      memcpy(&lo, ci, sizeof(lo));
      memcpy(&hi, ci + 8, sizeof(hi));
      acc[i][0] += lo;
      acc[i][1] += hi;
    }
    memcpy(ci, &acc[i][0], sizeof(vec8));
    memcpy(ci + 8, &acc[i][1], sizeof(vec8));
  }
}

#ifdef ALIGNLAB_X86
__attribute__((target("avx2,fma"))) static void kernel_avx2(int64_t kc, const float *a, const float *b, float *c,
                                                            int64_t ldc, int accumulate) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
  for (int64_t p = 0; p < kc; p++) {
    __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    __m256 x;
    x = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(x, b0, c00);
    c01 = _mm256_fmadd_ps(x, b1, c01);
    x = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(x, b0, c10);
    c11 = _mm256_fmadd_ps(x, b1, c11);
    x = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(x, b0, c20);
    c21 = _mm256_fmadd_ps(x, b1, c21);
    x = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(x, b0, c30);
    c31 = _mm256_fmadd_ps(x, b1, c31);
    x = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(x, b0, c40);
    c41 = _mm256_fmadd_ps(x, b1, c41);
    x = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(x, b0, c50);
    c51 = _mm256_fmadd_ps(x, b1, c51);
    a += MR;
    b += NR;
  }
#define STORE_ROW(i, lo, hi)                                                                       \
  do {                                                                                             \
    float *ci = c + (i) * ldc;                                                                     \
    if (accumulate) {                                                                              \
      lo = _mm256_add_ps(lo, _mm256_loadu_ps(ci));                                                 \
      hi = _mm256_add_ps(hi, _mm256_loadu_ps(ci + 8));                                             \
    }                                                                                              \
    _mm256_storeu_ps(ci, lo);                                                                      \
    _mm256_storeu_ps(ci + 8, hi);                                                                  \
  } while (0)
  STORE_ROW(0, c00, c01);
  STORE_ROW(1, c10, c11);
  STORE_ROW(2, c20, c21);
  STORE_ROW(3, c30, c31);
  STORE_ROW(4, c40, c41);
  STORE_ROW(5, c50, c51);
#undef STORE_ROW
}
#endif

static micro_kernel kernel_for(int use_avx2) {
#ifdef ALIGNLAB_X86
  if (use_avx2) return kernel_avx2;
#else
  (void)use_avx2;
#endif
  return kernel_portable;
}

int alignlab_cpu_has_avx2_fma(void) {
#ifdef ALIGNLAB_X86
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return 0;
#endif
}

// Packing buffers, grown on demand and kept (the addon runs on Node's main thread only).
static float *pack_a_buf, *pack_b_buf;

static float *aligned_floats(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
  return (float *)aligned_alloc(64, bytes);
}

// op(A) element (i, p) is a[i·ras + p·cas]; packs rows [0, mc) × columns [0, kc) into MR-row
// panels, each p-major (MR values per p), the last panel zero-padded.
static void pack_a(const float *a, int64_t ras, int64_t cas, int64_t mc, int64_t kc, float *out) {
  for (int64_t i0 = 0; i0 < mc; i0 += MR) {
    int64_t rows = mc - i0 < MR ? mc - i0 : MR;
    if (cas == 1) {
      for (int64_t p = 0; p < kc; p++) {
        for (int64_t i = 0; i < rows; i++) out[p * MR + i] = a[(i0 + i) * ras + p];
        for (int64_t i = rows; i < MR; i++) out[p * MR + i] = 0.0f;
      }
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float *src = a + i0 * ras + p * cas;
        for (int64_t i = 0; i < rows; i++) out[p * MR + i] = src[i * ras];
        for (int64_t i = rows; i < MR; i++) out[p * MR + i] = 0.0f;
      }
    }
    out += kc * MR;
  }
}

// op(B) element (p, j) is b[p·rbs + j·cbs]; packs [0, kc) × [0, nc) into NR-column panels.
static void pack_b(const float *b, int64_t rbs, int64_t cbs, int64_t kc, int64_t nc, float *out) {
  for (int64_t j0 = 0; j0 < nc; j0 += NR) {
    int64_t cols = nc - j0 < NR ? nc - j0 : NR;
    if (cbs == 1) {
      for (int64_t p = 0; p < kc; p++) {
        const float *src = b + p * rbs + j0;
        float *dst = out + p * NR;
        if (cols == NR)
          memcpy(dst, src, sizeof(float) * NR);
        else {
          for (int64_t j = 0; j < cols; j++) dst[j] = src[j];
          for (int64_t j = cols; j < NR; j++) dst[j] = 0.0f;
        }
      }
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float *src = b + p * rbs + j0 * cbs;
        float *dst = out + p * NR;
        for (int64_t j = 0; j < cols; j++) dst[j] = src[j * cbs];
        for (int64_t j = cols; j < NR; j++) dst[j] = 0.0f;
      }
    }
    out += kc * NR;
  }
}

int alignlab_sgemm(int trans_a, int trans_b, int64_t m, int64_t n, int64_t k, const float *a, const float *b,
                   float *c, int use_avx2) {
  if (m <= 0 || n <= 0) return 0;
  if (k <= 0) {
    for (int64_t i = 0; i < m; i++) memset(c + i * n, 0, sizeof(float) * n);
    return 0;
  }
  micro_kernel kernel = kernel_for(use_avx2);
  // A is [m, k] (or [k, m] transposed), B is [k, n] (or [n, k]).
  int64_t ras = trans_a ? 1 : k, cas = trans_a ? m : 1;
  int64_t rbs = trans_b ? 1 : n, cbs = trans_b ? k : 1;
  if (!pack_a_buf) pack_a_buf = aligned_floats((size_t)MC * KC);
  if (!pack_b_buf) pack_b_buf = aligned_floats((size_t)KC * NC);
  if (!pack_a_buf || !pack_b_buf) return -1;
  float tile[MR * NR];
  for (int64_t jc = 0; jc < n; jc += NC) {
    int64_t nc = n - jc < NC ? n - jc : NC;
    for (int64_t pc = 0; pc < k; pc += KC) {
      int64_t kc = k - pc < KC ? k - pc : KC;
      int accumulate = pc > 0;
      pack_b(b + pc * rbs + jc * cbs, rbs, cbs, kc, nc, pack_b_buf);
      for (int64_t ic = 0; ic < m; ic += MC) {
        int64_t mc = m - ic < MC ? m - ic : MC;
        pack_a(a + ic * ras + pc * cas, ras, cas, mc, kc, pack_a_buf);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          int64_t cols = nc - jr < NR ? nc - jr : NR;
          const float *bp = pack_b_buf + (jr / NR) * kc * NR;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            int64_t rows = mc - ir < MR ? mc - ir : MR;
            const float *ap = pack_a_buf + (ir / MR) * kc * MR;
            float *cp = c + (ic + ir) * n + jc + jr;
            if (rows == MR && cols == NR) {
              kernel(kc, ap, bp, cp, n, accumulate);
            } else {  // an edge tile: compute the full tile aside, keep its valid part
              kernel(kc, ap, bp, tile, NR, 0);
              for (int64_t i = 0; i < rows; i++) {
                float *ci = cp + i * n;
                const float *ti = tile + i * NR;
                if (accumulate)
                  for (int64_t j = 0; j < cols; j++) ci[j] += ti[j];
                else
                  for (int64_t j = 0; j < cols; j++) ci[j] = ti[j];
              }
            }
          }
        }
      }
    }
  }
  return 0;
}
