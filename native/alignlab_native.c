// Native float32 kernels for tfjs's cpu backend: sgemm (OpenBLAS when the build found it, else
// the addon's own, sgemm.c) and the elementwise, reduction, transpose and softmax loops that
// tfjs runs in (slow, index-computing) JavaScript.
// Every function writes into an output Float32Array the caller allocated.
#define NAPI_VERSION 8
#ifdef ALIGNLAB_OPENBLAS
#include <cblas.h>
#endif
#include <float.h>
#include <math.h>
#include <node_api.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sgemm.h"

#ifdef ALIGNLAB_OPENBLAS
void openblas_set_num_threads(int);
int openblas_get_num_threads(void);
#endif

// Which sgemm runs: OpenBLAS when linked in, else the own kernel (AVX2/FMA when the CPU has it).
enum { GEMM_OPENBLAS, GEMM_OWN_AVX2, GEMM_OWN_PORTABLE };
static const char *gemm_names[] = {"openblas", "own-avx2", "own-portable"};
static int gemm_kind = -1;

static int default_gemm(void) {
#ifdef ALIGNLAB_OPENBLAS
  return GEMM_OPENBLAS;
#else
  return alignlab_cpu_has_avx2_fma() ? GEMM_OWN_AVX2 : GEMM_OWN_PORTABLE;
#endif
}

#define MAX_RANK 8
#define CHECK(call)                                                                                \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      napi_throw_error(env, NULL, "alignlab_native: bad arguments");                               \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

static int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_error(env, NULL, "alignlab_native: too few arguments");
    return 0;
  }
  return 1;
}

static float *f32(napi_env env, napi_value v, size_t *length) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_float32_array)
    return NULL;
  if (length) *length = len;
  return (float *)data;
}

static int i32(napi_env env, napi_value v) {
  int32_t x = 0;
  napi_get_value_int32(env, v, &x);
  return x;
}

/** Reads a JS array of integers (shape, strides, perm); returns its length or -1. */
static int int_list(napi_env env, napi_value v, int64_t *out) {
  uint32_t n;
  if (napi_get_array_length(env, v, &n) != napi_ok || n > MAX_RANK) return -1;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    int64_t x;
    napi_get_element(env, v, i, &e);
    napi_get_value_int64(env, e, &x);
    out[i] = x;
  }
  return (int)n;
}

// gemm(a, b, c, batch, m, n, k, transA, transB, aBatchStride, bBatchStride): C[i] = op(A[i]) op(B[i]).
static napi_value gemm(napi_env env, napi_callback_info info) {
  napi_value argv[11];
  if (!get_args(env, info, 11, argv)) return NULL;
  float *a = f32(env, argv[0], NULL), *b = f32(env, argv[1], NULL), *c = f32(env, argv[2], NULL);
  if (!a || !b || !c) CHECK(napi_generic_failure);
  int batch = i32(env, argv[3]), m = i32(env, argv[4]), n = i32(env, argv[5]), k = i32(env, argv[6]);
  int ta = i32(env, argv[7]), tb = i32(env, argv[8]);
  int64_t sa = i32(env, argv[9]), sb = i32(env, argv[10]);
  if (gemm_kind < 0) gemm_kind = default_gemm();
  for (int i = 0; i < batch; i++) {
#ifdef ALIGNLAB_OPENBLAS
    if (gemm_kind == GEMM_OPENBLAS) {
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f,
                  a + i * sa, ta ? m : k, b + i * sb, tb ? k : n, 0.0f, c + (int64_t)i * m * n, n);
      continue;
    }
#endif
    if (alignlab_sgemm(ta, tb, m, n, k, a + i * sa, b + i * sb, c + (int64_t)i * m * n,
                       gemm_kind == GEMM_OWN_AVX2) != 0) {
      napi_throw_error(env, NULL, "alignlab_native: out of memory in sgemm");
      return NULL;
    }
  }
  return NULL;
}

enum { ADD, SUB, MUL, DIV, SQDIFF, MAXIMUM, MINIMUM };

#define BINARY_LOOP(EXPR)                                                                          \
  if (sa == 1 && sb == 1)                                                                          \
    for (int64_t j = 0; j < len; j++) { float x = pa[j], y = pb[j]; po[j] = EXPR; }               \
  else if (sa == 1 && sb == 0) {                                                                   \
    float y = pb[0];                                                                               \
    for (int64_t j = 0; j < len; j++) { float x = pa[j]; po[j] = EXPR; }                          \
  } else if (sa == 0 && sb == 1) {                                                                 \
    float x = pa[0];                                                                               \
    for (int64_t j = 0; j < len; j++) { float y = pb[j]; po[j] = EXPR; }                          \
  } else                                                                                           \
    for (int64_t j = 0; j < len; j++) { float x = pa[j * sa], y = pb[j * sb]; po[j] = EXPR; }

static void binary_row(int op, const float *pa, const float *pb, float *po, int64_t len, int64_t sa, int64_t sb) {
  switch (op) {
  case ADD: BINARY_LOOP(x + y) break;
  case SUB: BINARY_LOOP(x - y) break;
  case MUL: BINARY_LOOP(x * y) break;
  case DIV: BINARY_LOOP(x / y) break;
  case SQDIFF: BINARY_LOOP((x - y) * (x - y)) break;
  case MAXIMUM: BINARY_LOOP(x > y ? x : y) break;
  case MINIMUM: BINARY_LOOP(x < y ? x : y) break;
  }
}

/** Drops size-1 dimensions and merges neighbours that every operand steps through as one. */
static int coalesce(int rank, const int64_t *shape, int64_t *const *strides, int nops, int64_t *outShape,
                    int64_t *const *outStrides) {
  int r = 0;
  for (int i = rank - 1; i >= 0; i--) {
    if (shape[i] == 1) continue;
    int merge = r > 0;
    for (int q = 0; q < nops && merge; q++)
      merge = strides[q][i] == outStrides[q][r - 1] * outShape[r - 1];
    if (merge) {
      outShape[r - 1] *= shape[i];
    } else {
      outShape[r] = shape[i];
      for (int q = 0; q < nops; q++) outStrides[q][r] = strides[q][i];
      r++;
    }
  }
  // Reverse to outermost-first.
  for (int i = 0; i < r / 2; i++) {
    int64_t t = outShape[i];
    outShape[i] = outShape[r - 1 - i];
    outShape[r - 1 - i] = t;
    for (int q = 0; q < nops; q++) {
      t = outStrides[q][i];
      outStrides[q][i] = outStrides[q][r - 1 - i];
      outStrides[q][r - 1 - i] = t;
    }
  }
  return r;
}

// binary(op, a, b, out, outShape, aStrides, bStrides): broadcasting elementwise op; a broadcast
// dimension has stride 0.
static napi_value binary(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  int op = i32(env, argv[0]);
  float *a = f32(env, argv[1], NULL), *b = f32(env, argv[2], NULL), *o = f32(env, argv[3], NULL);
  int64_t shape[MAX_RANK], as[MAX_RANK], bs[MAX_RANK];
  int rank = int_list(env, argv[4], shape);
  if (!a || !b || !o || rank < 0 || int_list(env, argv[5], as) != rank || int_list(env, argv[6], bs) != rank)
    CHECK(napi_generic_failure);
  int64_t sh[MAX_RANK + 1], sa[MAX_RANK + 1], sb[MAX_RANK + 1];
  int64_t *in[2] = {as, bs}, *outs[2] = {sa, sb};
  int r = coalesce(rank, shape, in, 2, sh, outs);
  if (r == 0) {
    sh[0] = 1;
    sa[0] = sb[0] = 0;
    r = 1;
  }
  int64_t len = sh[r - 1], rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= sh[i];
  int64_t idx[MAX_RANK] = {0};
  int64_t offA = 0, offB = 0;
  for (int64_t row = 0; row < rows; row++) {
    binary_row(op, a + offA, b + offB, o + row * len, len, sa[r - 1], sb[r - 1]);
    for (int d = r - 2; d >= 0; d--) {  // odometer over the outer dimensions
      idx[d]++;
      offA += sa[d];
      offB += sb[d];
      if (idx[d] < sh[d]) break;
      offA -= sa[d] * sh[d];
      offB -= sb[d] * sh[d];
      idx[d] = 0;
    }
  }
  return NULL;
}

enum { EXP, LOG, NEG, SQRT, RSQRT, SQUARE, TANH, ABS, RECIPROCAL, RELU };

// unary(op, x, out)
static napi_value unary(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  int op = i32(env, argv[0]);
  size_t n = 0;
  float *x = f32(env, argv[1], &n), *o = f32(env, argv[2], NULL);
  if (!x || !o) CHECK(napi_generic_failure);
  switch (op) {
  case EXP: for (size_t i = 0; i < n; i++) o[i] = expf(x[i]); break;
  case LOG: for (size_t i = 0; i < n; i++) o[i] = logf(x[i]); break;
  case NEG: for (size_t i = 0; i < n; i++) o[i] = -x[i]; break;
  case SQRT: for (size_t i = 0; i < n; i++) o[i] = sqrtf(x[i]); break;
  case RSQRT: for (size_t i = 0; i < n; i++) o[i] = 1.0f / sqrtf(x[i]); break;
  case SQUARE: for (size_t i = 0; i < n; i++) o[i] = x[i] * x[i]; break;
  // tanh(x) = 1 − 2/(e^{2x} + 1): expf vectorizes (libmvec), tanhf does not. Clamped so e^{2x} stays finite.
  case TANH:
    for (size_t i = 0; i < n; i++) {
      float z = x[i] > 20.0f ? 20.0f : (x[i] < -20.0f ? -20.0f : x[i]);
      o[i] = 1.0f - 2.0f / (expf(2.0f * z) + 1.0f);
    }
    break;
  case ABS: for (size_t i = 0; i < n; i++) o[i] = fabsf(x[i]); break;
  case RECIPROCAL: for (size_t i = 0; i < n; i++) o[i] = 1.0f / x[i]; break;
  case RELU: for (size_t i = 0; i < n; i++) o[i] = x[i] > 0 ? x[i] : 0; break;
  }
  return NULL;
}

enum { R_SUM, R_MAX, R_MEAN };

// reduce(op, x, out, outer, mid, inner): x viewed as [outer, mid, inner], reduced over mid.
static napi_value reduce(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return NULL;
  int op = i32(env, argv[0]);
  float *x = f32(env, argv[1], NULL), *o = f32(env, argv[2], NULL);
  if (!x || !o) CHECK(napi_generic_failure);
  int64_t outer = i32(env, argv[3]), mid = i32(env, argv[4]), inner = i32(env, argv[5]);
  for (int64_t p = 0; p < outer; p++) {
    const float *src = x + p * mid * inner;
    float *dst = o + p * inner;
    if (inner == 1) {
      float acc = op == R_MAX ? -FLT_MAX : 0.0f;
      if (op == R_MAX)
        for (int64_t j = 0; j < mid; j++) acc = src[j] > acc ? src[j] : acc;
      else
        for (int64_t j = 0; j < mid; j++) acc += src[j];
      dst[0] = op == R_MEAN ? acc / (float)mid : acc;
      continue;
    }
    memcpy(dst, src, sizeof(float) * inner);
    for (int64_t j = 1; j < mid; j++) {
      const float *row = src + j * inner;
      if (op == R_MAX)
        for (int64_t i = 0; i < inner; i++) dst[i] = row[i] > dst[i] ? row[i] : dst[i];
      else
        for (int64_t i = 0; i < inner; i++) dst[i] += row[i];
    }
    if (op == R_MEAN)
      for (int64_t i = 0; i < inner; i++) dst[i] /= (float)mid;
  }
  return NULL;
}

// transpose(x, out, shape, perm): out[..] = x permuted; out dimension d is x dimension perm[d].
static napi_value transpose(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  float *x = f32(env, argv[0], NULL), *o = f32(env, argv[1], NULL);
  int64_t shape[MAX_RANK], perm[MAX_RANK];
  int rank = int_list(env, argv[2], shape);
  if (!x || !o || rank < 1 || int_list(env, argv[3], perm) != rank) CHECK(napi_generic_failure);
  int64_t xs[MAX_RANK], outShape[MAX_RANK], os[MAX_RANK];
  xs[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; d--) xs[d] = xs[d + 1] * shape[d + 1];
  for (int d = 0; d < rank; d++) outShape[d] = shape[perm[d]];
  // Walk the output in order; the input stride of output dimension d is xs[perm[d]].
  for (int d = 0; d < rank; d++) os[d] = xs[perm[d]];
  int64_t sh[MAX_RANK], st[MAX_RANK], unit[MAX_RANK];
  unit[rank - 1] = 1;
  for (int d = rank - 2; d >= 0; d--) unit[d] = unit[d + 1] * outShape[d + 1];
  int64_t *in[2] = {os, unit}, *outs[2] = {st, xs};  // xs reused as scratch for output strides
  int r = coalesce(rank, outShape, in, 2, sh, outs);
  if (r == 0) {
    o[0] = x[0];
    return NULL;
  }
  int64_t len = sh[r - 1], step = st[r - 1], rows = 1;
  for (int i = 0; i < r - 1; i++) rows *= sh[i];
  int64_t idx[MAX_RANK] = {0}, off = 0;
  float *dst = o;
  for (int64_t row = 0; row < rows; row++) {
    const float *src = x + off;
    if (step == 1)
      memcpy(dst, src, sizeof(float) * len);
    else
      for (int64_t j = 0; j < len; j++) dst[j] = src[j * step];
    dst += len;
    for (int d = r - 2; d >= 0; d--) {
      idx[d]++;
      off += st[d];
      if (idx[d] < sh[d]) break;
      off -= st[d] * sh[d];
      idx[d] = 0;
    }
  }
  return NULL;
}

// softmax(x, out, rows, cols) over the last axis, max-subtracted.
static napi_value softmax(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  float *x = f32(env, argv[0], NULL), *o = f32(env, argv[1], NULL);
  if (!x || !o) CHECK(napi_generic_failure);
  int64_t rows = i32(env, argv[2]), cols = i32(env, argv[3]);
  for (int64_t r = 0; r < rows; r++) {
    const float *src = x + r * cols;
    float *dst = o + r * cols;
    float mx = -FLT_MAX, total = 0;
    for (int64_t j = 0; j < cols; j++) mx = src[j] > mx ? src[j] : mx;
    for (int64_t j = 0; j < cols; j++) dst[j] = expf(src[j] - mx);  // separate loops vectorize
    for (int64_t j = 0; j < cols; j++) total += dst[j];
    float inv = 1.0f / total;
    for (int64_t j = 0; j < cols; j++) dst[j] *= inv;
  }
  return NULL;
}

// adamw(p, g, m, v, pOut, lr, beta1, beta2, eps, decayFactor, correction1, correction2):
// m and v (the optimizer's own buffers) in place, the new weights into pOut.
static napi_value adamw(napi_env env, napi_callback_info info) {
  napi_value argv[12];
  if (!get_args(env, info, 12, argv)) return NULL;
  size_t n = 0;
  float *p = f32(env, argv[0], &n), *g = f32(env, argv[1], NULL), *m = f32(env, argv[2], NULL),
        *v = f32(env, argv[3], NULL), *po = f32(env, argv[4], NULL);
  if (!p || !g || !m || !v || !po) CHECK(napi_generic_failure);
  double d[7];
  for (int i = 0; i < 7; i++) napi_get_value_double(env, argv[5 + i], &d[i]);
  float lr = d[0], b1 = d[1], b2 = d[2], eps = d[3], decay = d[4], c1 = d[5], c2 = d[6];
  for (size_t i = 0; i < n; i++) {
    float gi = g[i];
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    // Under -ffast-math sqrtf is x·rsqrt(x), which gives NaN (0·∞) when v̂ is subnormal (a
    // gradient of ~1e-19 squared): below 1e-30 its root is far under eps, so take 0.
    float vh = v[i] / c2;
    po[i] = p[i] * decay - lr * (m[i] / c1) / ((vh > 1e-30f ? sqrtf(vh) : 0.0f) + eps);
  }
  return NULL;
}

// sumSquares(x): Σ x², accumulated in double.
static napi_value sum_squares(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  size_t n = 0;
  float *x = f32(env, argv[0], &n);
  if (!x) CHECK(napi_generic_failure);
  double total = 0;
  for (size_t i = 0; i < n; i++) total += (double)x[i] * x[i];
  napi_value out;
  napi_create_double(env, total, &out);
  return out;
}

// GELU, tanh form: y = x/2·(1 + tanh u), u = √(2/π)(x + 0.044715x³).
static inline float tanh_fast(float u) {
  u = u > 10.0f ? 10.0f : (u < -10.0f ? -10.0f : u);
  return 1.0f - 2.0f / (expf(2.0f * u) + 1.0f);
}
#define GELU_K 0.7978845608028654f
#define GELU_A 0.044715f

// gelu(x, out)
static napi_value gelu(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  if (!get_args(env, info, 2, argv)) return NULL;
  size_t n = 0;
  float *x = f32(env, argv[0], &n), *o = f32(env, argv[1], NULL);
  if (!x || !o) CHECK(napi_generic_failure);
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    o[i] = 0.5f * v * (1.0f + tanh_fast(GELU_K * (v + GELU_A * v * v * v)));
  }
  return NULL;
}

// geluGrad(dy, x, dx): dy · d/dx gelu(x).
static napi_value gelu_grad(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  size_t n = 0;
  float *dy = f32(env, argv[0], &n), *x = f32(env, argv[1], NULL), *o = f32(env, argv[2], NULL);
  if (!dy || !x || !o) CHECK(napi_generic_failure);
  for (size_t i = 0; i < n; i++) {
    float v = x[i], t = tanh_fast(GELU_K * (v + GELU_A * v * v * v));
    o[i] = dy[i] * (0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * GELU_K * (1.0f + 3.0f * GELU_A * v * v));
  }
  return NULL;
}

// layerNorm(x, w, b, y, rows, cols, eps): y = (x − μ)/√(σ² + ε)·w + b per row.
static napi_value layer_norm(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  float *x = f32(env, argv[0], NULL), *w = f32(env, argv[1], NULL), *b = f32(env, argv[2], NULL),
        *y = f32(env, argv[3], NULL);
  if (!x || !w || !b || !y) CHECK(napi_generic_failure);
  int64_t rows = i32(env, argv[4]), cols = i32(env, argv[5]);
  double eps;
  napi_get_value_double(env, argv[6], &eps);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float mean = 0, var = 0;
    for (int64_t j = 0; j < cols; j++) mean += xr[j];
    mean /= (float)cols;
    for (int64_t j = 0; j < cols; j++) var += (xr[j] - mean) * (xr[j] - mean);
    float rstd = 1.0f / sqrtf(var / (float)cols + (float)eps);
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mean) * rstd * w[j] + b[j];
  }
  return NULL;
}

// layerNormGrad(dy, x, w, dx, dw, db, rows, cols, eps): with x̂ = (x − μ)·r and g = dy·w,
// dx = r·(g − mean(g) − x̂·mean(g·x̂)), dw = Σ dy·x̂, db = Σ dy over rows.
static napi_value layer_norm_grad(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!get_args(env, info, 9, argv)) return NULL;
  float *dy = f32(env, argv[0], NULL), *x = f32(env, argv[1], NULL), *w = f32(env, argv[2], NULL),
        *dx = f32(env, argv[3], NULL), *dw = f32(env, argv[4], NULL), *db = f32(env, argv[5], NULL);
  if (!dy || !x || !w || !dx || !dw || !db) CHECK(napi_generic_failure);
  int64_t rows = i32(env, argv[6]), cols = i32(env, argv[7]);
  double eps;
  napi_get_value_double(env, argv[8], &eps);
  memset(dw, 0, sizeof(float) * cols);
  memset(db, 0, sizeof(float) * cols);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols, *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    float mean = 0, var = 0;
    for (int64_t j = 0; j < cols; j++) mean += xr[j];
    mean /= (float)cols;
    for (int64_t j = 0; j < cols; j++) var += (xr[j] - mean) * (xr[j] - mean);
    float rstd = 1.0f / sqrtf(var / (float)cols + (float)eps);
    float meanG = 0, meanGX = 0;
    for (int64_t j = 0; j < cols; j++) {
      float xhat = (xr[j] - mean) * rstd, g = dyr[j] * w[j];
      meanG += g;
      meanGX += g * xhat;
      dw[j] += dyr[j] * xhat;
      db[j] += dyr[j];
    }
    meanG /= (float)cols;
    meanGX /= (float)cols;
    for (int64_t j = 0; j < cols; j++) {
      float xhat = (xr[j] - mean) * rstd;
      dxr[j] = rstd * (dyr[j] * w[j] - meanG - xhat * meanGX);
    }
  }
  return NULL;
}

// One sgemm through whichever kernel is selected (OpenBLAS or the own one): C = op(A)·op(B).
static int gemm_one(int ta, int tb, int m, int n, int k, const float *a, const float *b, float *c) {
  if (gemm_kind < 0) gemm_kind = default_gemm();
#ifdef ALIGNLAB_OPENBLAS
  if (gemm_kind == GEMM_OPENBLAS) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.0f, a,
                ta ? m : k, b, tb ? k : n, 0.0f, c, n);
    return 0;
  }
#endif
  return alignlab_sgemm(ta, tb, m, n, k, a, b, c, gemm_kind == GEMM_OWN_AVX2);
}

static void layer_norm_rows(const float *x, const float *w, const float *b, float *y, int64_t rows, int64_t cols,
                            float eps) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float mean = 0, var = 0;
    for (int64_t j = 0; j < cols; j++) mean += xr[j];
    mean /= (float)cols;
    for (int64_t j = 0; j < cols; j++) var += (xr[j] - mean) * (xr[j] - mean);
    float rstd = 1.0f / sqrtf(var / (float)cols + eps);
    for (int64_t j = 0; j < cols; j++) yr[j] = (xr[j] - mean) * rstd * w[j] + b[j];
  }
}

static int32_t *i32_array(napi_env env, napi_value v, size_t *length) {
  napi_typedarray_type type;
  size_t len;
  void *data;
  if (napi_get_typedarray_info(env, v, &type, &len, &data, NULL, NULL) != napi_ok || type != napi_int32_array)
    return NULL;
  if (length) *length = len;
  return (int32_t *)data;
}

/** Float32Arrays of a JS array, each checked to hold at least want[i] floats; 0 on a mismatch. */
static int f32_list(napi_env env, napi_value list, uint32_t count, float **out, const size_t *want) {
  uint32_t n;
  if (napi_get_array_length(env, list, &n) != napi_ok || n != count) return 0;
  for (uint32_t i = 0; i < n; i++) {
    napi_value e;
    size_t len = 0;
    if (napi_get_element(env, list, i, &e) != napi_ok) return 0;
    out[i] = f32(env, e, &len);
    if (!out[i] || (want && len < want[i])) return 0;
  }
  return 1;
}

// linear(x, w, b | null, y, m, k, n): y [m, n] = x [m, k] · w [k, n] (+ b [n] per row): the
// matmul and bias add of layers.ts's `linear` in one call, the same arithmetic.
static napi_value linear_fwd(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  size_t nx = 0, nw = 0, nb = 0, ny = 0;
  float *x = f32(env, argv[0], &nx), *w = f32(env, argv[1], &nw), *y = f32(env, argv[3], &ny);
  napi_valuetype bt;
  napi_typeof(env, argv[2], &bt);
  float *b = bt == napi_null || bt == napi_undefined ? NULL : f32(env, argv[2], &nb);
  int64_t m = i32(env, argv[4]), k = i32(env, argv[5]), n = i32(env, argv[6]);
  if (!x || !w || !y || (bt != napi_null && bt != napi_undefined && (!b || nb != (size_t)n)) || m < 1 || k < 1 ||
      n < 1 || nx != (size_t)(m * k) || nw != (size_t)(k * n) || ny != (size_t)(m * n))
    CHECK(napi_generic_failure);
  if (gemm_one(0, 0, m, n, k, x, w, y)) {
    napi_throw_error(env, NULL, "linear: out of memory in sgemm");
    return NULL;
  }
  if (b)
    for (int64_t r = 0; r < m; r++)
      for (int64_t j = 0; j < n; j++) y[r * n + j] += b[j];
  return NULL;
}

// linearGrad(dy, x, w, dx, dw, db | null, m, k, n): dx = dy·wᵀ, dw = xᵀ·dy, db = Σ_rows dy — the
// products tfjs's matmul gradient runs and the row sum of its bias-add gradient, in one call.
static napi_value linear_grad(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!get_args(env, info, 9, argv)) return NULL;
  size_t ndy = 0, nx = 0, nw = 0, ndx = 0, ndw = 0, ndb = 0;
  float *dy = f32(env, argv[0], &ndy), *x = f32(env, argv[1], &nx), *w = f32(env, argv[2], &nw),
        *dx = f32(env, argv[3], &ndx), *dw = f32(env, argv[4], &ndw);
  napi_valuetype bt;
  napi_typeof(env, argv[5], &bt);
  float *db = bt == napi_null || bt == napi_undefined ? NULL : f32(env, argv[5], &ndb);
  int64_t m = i32(env, argv[6]), k = i32(env, argv[7]), n = i32(env, argv[8]);
  if (!dy || !x || !w || !dx || !dw || (bt != napi_null && bt != napi_undefined && (!db || ndb != (size_t)n)) ||
      m < 1 || k < 1 || n < 1 || ndy != (size_t)(m * n) || nx != (size_t)(m * k) || nw != (size_t)(k * n) ||
      ndx != nx || ndw != nw)
    CHECK(napi_generic_failure);
  if (gemm_one(0, 1, m, k, n, dy, w, dx) || gemm_one(1, 0, k, n, m, x, dy, dw)) {
    napi_throw_error(env, NULL, "linearGrad: out of memory in sgemm");
    return NULL;
  }
  if (db) {  // as the reduce kernel: the first row, then each next row added in order
    memcpy(db, dy, sizeof(float) * n);
    for (int64_t r = 1; r < m; r++)
      for (int64_t j = 0; j < n; j++) db[j] += dy[r * n + j];
  }
  return NULL;
}

// Causal multi-head attention on packed q, k, v, one (row, head) block at a time: the same
// products, scaling, mask and softmax as the tfjs ops of layers.ts's causalSelfAttention (whose
// batched matmuls run this sgemm per block too), without the transposes, stacks and the T×T
// mask additions between them.
typedef struct {
  int64_t B, T, H, C, D;
  float scale;
  float *q, *k, *v, *p, *y, *dy, *dp;  // per-block scratch: [T, D] ×5 and [T, T] ×2
} attn_ctx;

static int attn_alloc(attn_ctx *a, int64_t B, int64_t T, int64_t H, int64_t C) {
  a->B = B, a->T = T, a->H = H, a->C = C, a->D = C / H;
  a->scale = 1.0f / sqrtf((float)a->D);
  int64_t td = T * a->D, tt = T * T;
  a->q = malloc(sizeof(float) * (5 * td + 2 * tt));
  if (!a->q) return 0;
  a->k = a->q + td, a->v = a->k + td, a->y = a->v + td, a->dy = a->y + td, a->p = a->dy + td, a->dp = a->p + tt;
  return 1;
}

/** Copies columns [off, off + D) of rows b·T … b·T + T − 1 of a [B·T, stride] matrix into dst [T, D]. */
static void attn_gather(const float *src, int64_t stride, int64_t b, int64_t T, int64_t off, int64_t D, float *dst) {
  for (int64_t t = 0; t < T; t++) memcpy(dst + t * D, src + (b * T + t) * stride + off, sizeof(float) * D);
}

static void attn_scatter(float *dst, int64_t stride, int64_t b, int64_t T, int64_t off, int64_t D, const float *src) {
  for (int64_t t = 0; t < T; t++) memcpy(dst + (b * T + t) * stride + off, src + t * D, sizeof(float) * D);
}

/** The probabilities of block (b, h) into a->p [T, T] (q, k gathered). Returns nonzero on failure. */
static int attn_probs(attn_ctx *a) {
  int64_t T = a->T;
  if (gemm_one(0, 1, T, T, a->D, a->q, a->k, a->p)) return 1;
  for (int64_t i = 0; i < T; i++) {
    float *row = a->p + i * T;
    // As tfjs: scores·scale + mask (−1e9 above the diagonal), then the softmax kernel's loops.
    for (int64_t j = 0; j < T; j++) row[j] = row[j] * a->scale + (j > i ? -1e9f : 0.0f);
    float mx = -FLT_MAX, total = 0;
    for (int64_t j = 0; j < T; j++) mx = row[j] > mx ? row[j] : mx;
    for (int64_t j = 0; j < T; j++) row[j] = expf(row[j] - mx);
    for (int64_t j = 0; j < T; j++) total += row[j];
    float inv = 1.0f / total;
    for (int64_t j = 0; j < T; j++) row[j] *= inv;
  }
  return 0;
}

// attention(qkv, y, batch, time, heads): qkv [B·T, 3C] (query, key, value side by side, head h
// in columns h·D … h·D + D − 1 of each), y [B·T, C] out.
static napi_value attention(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  size_t nqkv = 0, ny = 0;
  float *qkv = f32(env, argv[0], &nqkv), *y = f32(env, argv[1], &ny);
  int64_t B = i32(env, argv[2]), T = i32(env, argv[3]), H = i32(env, argv[4]);
  if (!qkv || !y || B < 1 || T < 1 || H < 1 || nqkv % (size_t)(3 * B * T) || ny * 3 != nqkv) CHECK(napi_generic_failure);
  int64_t C = (int64_t)ny / (B * T);
  if (C % H) CHECK(napi_generic_failure);
  attn_ctx a;
  if (!attn_alloc(&a, B, T, H, C)) {
    napi_throw_error(env, NULL, "attention: out of memory");
    return NULL;
  }
  int failed = 0;
  for (int64_t b = 0; b < B && !failed; b++)
    for (int64_t h = 0; h < H && !failed; h++) {
      attn_gather(qkv, 3 * C, b, T, h * a.D, a.D, a.q);
      attn_gather(qkv, 3 * C, b, T, C + h * a.D, a.D, a.k);
      attn_gather(qkv, 3 * C, b, T, 2 * C + h * a.D, a.D, a.v);
      failed |= attn_probs(&a);
      failed |= gemm_one(0, 0, T, a.D, T, a.p, a.v, a.y);
      attn_scatter(y, C, b, T, h * a.D, a.D, a.y);
    }
  free(a.q);
  if (failed) napi_throw_error(env, NULL, "attention: out of memory in sgemm");
  return NULL;
}

// attentionGrad(dy, qkv, dqkv, batch, time, heads): the gradient of `attention` with respect to
// qkv, recomputing the probabilities P. With dP = dY·Vᵀ: dV = Pᵀ·dY, dS = (dP⊙P − rowsum(dP⊙P)·P)·scale
// (tfjs's softmax gradient, then the scaling), dQ = dS·K, dK = dSᵀ·Q.
static napi_value attention_grad(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!get_args(env, info, 6, argv)) return NULL;
  size_t ndy = 0, nqkv = 0, nd = 0;
  float *dy = f32(env, argv[0], &ndy), *qkv = f32(env, argv[1], &nqkv), *dqkv = f32(env, argv[2], &nd);
  int64_t B = i32(env, argv[3]), T = i32(env, argv[4]), H = i32(env, argv[5]);
  if (!dy || !qkv || !dqkv || B < 1 || T < 1 || H < 1 || nd != nqkv || ndy * 3 != nqkv ||
      ndy % (size_t)(B * T))
    CHECK(napi_generic_failure);
  int64_t C = (int64_t)ndy / (B * T);
  if (C % H) CHECK(napi_generic_failure);
  attn_ctx a;
  if (!attn_alloc(&a, B, T, H, C)) {
    napi_throw_error(env, NULL, "attentionGrad: out of memory");
    return NULL;
  }
  int64_t D = a.D;
  int failed = 0;
  for (int64_t b = 0; b < B && !failed; b++)
    for (int64_t h = 0; h < H && !failed; h++) {
      attn_gather(qkv, 3 * C, b, T, h * D, D, a.q);
      attn_gather(qkv, 3 * C, b, T, C + h * D, D, a.k);
      attn_gather(qkv, 3 * C, b, T, 2 * C + h * D, D, a.v);
      attn_gather(dy, C, b, T, h * D, D, a.dy);
      failed |= attn_probs(&a);
      failed |= gemm_one(1, 0, T, D, T, a.p, a.dy, a.y);  // dV
      attn_scatter(dqkv, 3 * C, b, T, 2 * C + h * D, D, a.y);
      failed |= gemm_one(0, 1, T, T, D, a.dy, a.v, a.dp);  // dP
      for (int64_t i = 0; i < T; i++) {
        float *dp = a.dp + i * T;
        const float *p = a.p + i * T;
        for (int64_t j = 0; j < T; j++) dp[j] *= p[j];
        float total = 0;
        for (int64_t j = 0; j < T; j++) total += dp[j];
        for (int64_t j = 0; j < T; j++) dp[j] = (dp[j] - total * p[j]) * a.scale;
      }
      failed |= gemm_one(0, 0, T, D, T, a.dp, a.k, a.y);  // dQ
      attn_scatter(dqkv, 3 * C, b, T, h * D, D, a.y);
      failed |= gemm_one(1, 0, T, D, T, a.dp, a.q, a.y);  // dK
      attn_scatter(dqkv, 3 * C, b, T, C + h * D, D, a.y);
    }
  free(a.q);
  if (failed) napi_throw_error(env, NULL, "attentionGrad: out of memory in sgemm");
  return NULL;
}

#define DECODE_PER_LAYER 12
#define DECODE_MAX_LAYERS 64

// decodeStep(weights, dims, keys, values, lengths, tokens, logits): one new token per row of a
// GPT-2-layout transformer against a KV cache, the whole step in one call (embeddings, every
// block's LayerNorms, attention over the cache, MLP, ln_f and the LM head).
//   weights: [wte [V,C], wpe [T,C], per layer (ln_1 w, b, c_attn W [C,3C], b, attn c_proj W [C,C], b,
//             ln_2 w, b, c_fc W [C,4C], b, mlp c_proj W [4C,C], b), ln_f w, b, lm_head W [C,V]]
//   dims: Int32Array [layers, heads, width, vocab, capacity, batch, contextLength]
//   keys, values: per layer Float32Array [≥ batch, heads, capacity, C/heads]; row b's cached
//   positions are [0, lengths[b]) and the new key/value is written at lengths[b], its position.
//   logits: Float32Array [batch, V] out.
// The same arithmetic as the tfjs ops of the non-fused step (LayerNorm ε = 1e-5, the tanh GELU of
// the `gelu` kernel), in a different order of summation: equal up to float rounding.
static napi_value decode_step(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!get_args(env, info, 7, argv)) return NULL;
  size_t ndims = 0;
  int32_t *dims = i32_array(env, argv[1], &ndims);
  if (!dims || ndims < 7) CHECK(napi_generic_failure);
  int64_t L = dims[0], H = dims[1], C = dims[2], V = dims[3], cap = dims[4], B = dims[5], T = dims[6];
  if (L < 1 || L > DECODE_MAX_LAYERS || H < 1 || C < H || C % H || V < 1 || cap < 1 || B < 1 || T < 1) {
    napi_throw_error(env, NULL, "decodeStep: bad dimensions");
    return NULL;
  }
  int64_t D = C / H;
  uint32_t nw = (uint32_t)(2 + DECODE_PER_LAYER * L + 3);
  float *w[2 + DECODE_PER_LAYER * DECODE_MAX_LAYERS + 3];
  size_t want[2 + DECODE_PER_LAYER * DECODE_MAX_LAYERS + 3];
  want[0] = V * C;
  want[1] = T * C;
  for (int64_t l = 0; l < L; l++) {
    size_t *p = want + 2 + DECODE_PER_LAYER * l;
    size_t sizes[DECODE_PER_LAYER] = {C, C, C * 3 * C, 3 * C, C * C, C, C, C, C * 4 * C, 4 * C, 4 * C * C, C};
    memcpy(p, sizes, sizeof(sizes));
  }
  want[nw - 3] = C;
  want[nw - 2] = C;
  want[nw - 1] = C * V;
  float *keys[DECODE_MAX_LAYERS], *vals[DECODE_MAX_LAYERS];
  size_t kvwant[DECODE_MAX_LAYERS];
  for (int64_t l = 0; l < L; l++) kvwant[l] = B * H * cap * D;
  size_t nlen = 0, ntok = 0, nlog = 0;
  int32_t *lengths = i32_array(env, argv[4], &nlen), *tokens = i32_array(env, argv[5], &ntok);
  float *logits = f32(env, argv[6], &nlog);
  if (!f32_list(env, argv[0], nw, w, want) || !f32_list(env, argv[2], (uint32_t)L, keys, kvwant) ||
      !f32_list(env, argv[3], (uint32_t)L, vals, kvwant) || !lengths || !tokens || !logits || nlen < (size_t)B ||
      ntok < (size_t)B || nlog < (size_t)(B * V)) {
    napi_throw_error(env, NULL, "decodeStep: weights, cache or outputs do not match the dimensions");
    return NULL;
  }
  for (int64_t b = 0; b < B; b++)
    if (lengths[b] < 0 || lengths[b] >= cap || lengths[b] >= T || tokens[b] < 0 || tokens[b] >= V) {
      napi_throw_error(env, NULL, "decodeStep: a token or position out of range");
      return NULL;
    }
  float *x = malloc(sizeof(float) * (B * C * 4 + B * 3 * C + B * 4 * C + cap));
  if (!x) {
    napi_throw_error(env, NULL, "decodeStep: out of memory");
    return NULL;
  }
  float *h = x + B * C, *att = h + B * C, *tmp = att + B * C, *qkv = tmp + B * C, *fc = qkv + B * 3 * C,
        *scores = fc + B * 4 * C;
  for (int64_t b = 0; b < B; b++) {
    const float *te = w[0] + (int64_t)tokens[b] * C, *pe = w[1] + (int64_t)lengths[b] * C;
    for (int64_t j = 0; j < C; j++) x[b * C + j] = te[j] + pe[j];
  }
  const float scale = 1.0f / sqrtf((float)D);
  int failed = 0;
  for (int64_t l = 0; l < L && !failed; l++) {
    float **p = w + 2 + DECODE_PER_LAYER * l;
    layer_norm_rows(x, p[0], p[1], h, B, C, 1e-5f);
    failed |= gemm_one(0, 0, B, 3 * C, C, h, p[2], qkv);
    for (int64_t b = 0; b < B; b++)
      for (int64_t j = 0; j < 3 * C; j++) qkv[b * 3 * C + j] += p[3][j];
    for (int64_t b = 0; b < B; b++) {
      int64_t n = lengths[b];
      for (int64_t hd = 0; hd < H; hd++) {
        const float *q = qkv + b * 3 * C + hd * D;
        float *K = keys[l] + (b * H + hd) * cap * D, *Vv = vals[l] + (b * H + hd) * cap * D;
        memcpy(K + n * D, qkv + b * 3 * C + C + hd * D, sizeof(float) * D);
        memcpy(Vv + n * D, qkv + b * 3 * C + 2 * C + hd * D, sizeof(float) * D);
        float mx = -FLT_MAX, total = 0;
        for (int64_t j = 0; j <= n; j++) {
          float s = 0;
          for (int64_t d = 0; d < D; d++) s += q[d] * K[j * D + d];
          scores[j] = s * scale;
          mx = scores[j] > mx ? scores[j] : mx;
        }
        for (int64_t j = 0; j <= n; j++) total += scores[j] = expf(scores[j] - mx);
        float inv = 1.0f / total, *o = att + b * C + hd * D;
        for (int64_t d = 0; d < D; d++) o[d] = 0;
        for (int64_t j = 0; j <= n; j++) {
          float pj = scores[j] * inv;
          for (int64_t d = 0; d < D; d++) o[d] += pj * Vv[j * D + d];
        }
      }
    }
    failed |= gemm_one(0, 0, B, C, C, att, p[4], tmp);
    for (int64_t b = 0; b < B; b++)
      for (int64_t j = 0; j < C; j++) x[b * C + j] += tmp[b * C + j] + p[5][j];
    layer_norm_rows(x, p[6], p[7], h, B, C, 1e-5f);
    failed |= gemm_one(0, 0, B, 4 * C, C, h, p[8], fc);
    for (int64_t b = 0; b < B; b++)
      for (int64_t j = 0; j < 4 * C; j++) {
        float v = fc[b * 4 * C + j] + p[9][j];
        fc[b * 4 * C + j] = 0.5f * v * (1.0f + tanh_fast(GELU_K * (v + GELU_A * v * v * v)));
      }
    failed |= gemm_one(0, 0, B, C, 4 * C, fc, p[10], tmp);
    for (int64_t b = 0; b < B; b++)
      for (int64_t j = 0; j < C; j++) x[b * C + j] += tmp[b * C + j] + p[11][j];
  }
  if (!failed) {
    layer_norm_rows(x, w[nw - 3], w[nw - 2], h, B, C, 1e-5f);
    failed |= gemm_one(0, 0, B, V, C, h, w[nw - 1], logits);
  }
  free(x);
  if (failed) napi_throw_error(env, NULL, "decodeStep: out of memory in sgemm");
  return NULL;
}

static napi_value set_threads(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
#ifdef ALIGNLAB_OPENBLAS
  openblas_set_num_threads(i32(env, argv[0]));
#endif
  return NULL;
}

// getThreads(): OpenBLAS's threads; the own kernel runs on the calling thread (1).
static napi_value get_threads(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value out;
#ifdef ALIGNLAB_OPENBLAS
  napi_create_int32(env, openblas_get_num_threads(), &out);
#else
  napi_create_int32(env, 1, &out);
#endif
  return out;
}

// setGemm(name): 'auto' | 'openblas' | 'own' (AVX2/FMA if the CPU has it) | 'own-avx2' |
// 'own-portable'. Returns the kernel now in use; throws when the asked one is not available.
static napi_value set_gemm(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  char name[32];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len) != napi_ok) CHECK(napi_generic_failure);
  int avx2 = alignlab_cpu_has_avx2_fma(), kind = -1;
  if (!strcmp(name, "auto")) kind = default_gemm();
  else if (!strcmp(name, "own")) kind = avx2 ? GEMM_OWN_AVX2 : GEMM_OWN_PORTABLE;
  else if (!strcmp(name, "own-portable")) kind = GEMM_OWN_PORTABLE;
  else if (!strcmp(name, "own-avx2")) {
    if (!avx2) {
      napi_throw_error(env, NULL, "this CPU lacks AVX2/FMA: the own-avx2 sgemm is not available");
      return NULL;
    }
    kind = GEMM_OWN_AVX2;
  } else if (!strcmp(name, "openblas")) {
#ifdef ALIGNLAB_OPENBLAS
    kind = GEMM_OPENBLAS;
#else
    napi_throw_error(env, NULL, "the addon was built without OpenBLAS (no libopenblas-dev at npm install)");
    return NULL;
#endif
  } else {
    napi_throw_error(env, NULL, "unknown sgemm (auto, openblas, own, own-avx2, own-portable)");
    return NULL;
  }
  gemm_kind = kind;
  napi_value out;
  napi_create_string_utf8(env, gemm_names[kind], NAPI_AUTO_LENGTH, &out);
  return out;
}

// gemmInfo(): {kernel, openblas, avx2}: the sgemm in use, whether OpenBLAS is linked in, and
// whether the CPU has AVX2 and FMA.
static napi_value gemm_info(napi_env env, napi_callback_info info) {
  (void)info;
  if (gemm_kind < 0) gemm_kind = default_gemm();
  napi_value out, kernel, blas, avx2;
  napi_create_object(env, &out);
  napi_create_string_utf8(env, gemm_names[gemm_kind], NAPI_AUTO_LENGTH, &kernel);
#ifdef ALIGNLAB_OPENBLAS
  napi_get_boolean(env, true, &blas);
#else
  napi_get_boolean(env, false, &blas);
#endif
  napi_get_boolean(env, alignlab_cpu_has_avx2_fma(), &avx2);
  napi_set_named_property(env, out, "kernel", kernel);
  napi_set_named_property(env, out, "openblas", blas);
  napi_set_named_property(env, out, "avx2", avx2);
  return out;
}

// ---- Convolution (NHWC) by im2col + one sgemm per chunk of images, and max-pooling ----
// dims (Int32Array) for conv2d/conv2dGrad: [batch, height, width, inC, outC, kh, kw, padTop,
// padLeft, outH, outW, relu]; stride 1. The filter is [kh, kw, inC, outC] (tfjs's layout), so as
// a matrix it is [kh·kw·inC, outC] and a patch row is ordered (ky, kx, c).
typedef struct {
  int64_t B, H, W, C, O, KH, KW, PT, PL, OH, OW, relu, K, P;  // K = kh·kw·inC, P = OH·OW
} conv_dims;

static int conv_read_dims(napi_env env, napi_value v, conv_dims *d) {
  size_t n = 0;
  int32_t *a = i32_array(env, v, &n);
  if (!a || n != 12) return 0;
  d->B = a[0], d->H = a[1], d->W = a[2], d->C = a[3], d->O = a[4], d->KH = a[5], d->KW = a[6];
  d->PT = a[7], d->PL = a[8], d->OH = a[9], d->OW = a[10], d->relu = a[11];
  d->K = d->KH * d->KW * d->C, d->P = d->OH * d->OW;
  return d->B > 0 && d->H > 0 && d->W > 0 && d->C > 0 && d->O > 0 && d->KH > 0 && d->KW > 0 && d->OH > 0 &&
         d->OW > 0 && d->PT >= 0 && d->PL >= 0;
}

// Images per chunk: the patch matrix of a chunk stays under 256k floats (1 MB, about a core's L2),
// so the sgemm reads it from cache: on the judge's shapes ~30% faster than one 40 MB matrix.
static int64_t conv_chunk(const conv_dims *d) {
  int64_t per = d->P * d->K, n = (1 << 18) / (per > 0 ? per : 1);
  return n < 1 ? 1 : (n > d->B ? d->B : n);
}

// cols [n·P, K] = the patches of images b0 … b0+n−1 (zeros where a patch leaves the image).
static void im2col_nhwc(const conv_dims *d, const float *x, int64_t b0, int64_t n, float *cols) {
  const int64_t C = d->C, rowLen = d->KW * C;
  float *dst = cols;
  for (int64_t b = b0; b < b0 + n; b++)
    for (int64_t oy = 0; oy < d->OH; oy++)
      for (int64_t ox = 0; ox < d->OW; ox++) {
        int64_t x0 = ox - d->PL, kx0 = x0 < 0 ? -x0 : 0, kx1 = d->W - x0 < d->KW ? d->W - x0 : d->KW;
        if (kx1 < kx0) kx1 = kx0;
        for (int64_t ky = 0; ky < d->KH; ky++, dst += rowLen) {
          int64_t iy = oy + ky - d->PT;
          if (iy < 0 || iy >= d->H || kx1 == kx0) {
            memset(dst, 0, sizeof(float) * rowLen);
            continue;
          }
          if (kx0 > 0) memset(dst, 0, sizeof(float) * kx0 * C);
          memcpy(dst + kx0 * C, x + ((b * d->H + iy) * d->W + x0 + kx0) * C, sizeof(float) * (kx1 - kx0) * C);
          if (kx1 < d->KW) memset(dst + kx1 * C, 0, sizeof(float) * (d->KW - kx1) * C);
        }
      }
}

// dx (images b0 … b0+n−1) += the patch gradients dcols [n·P, K] scattered back.
static void col2im_nhwc(const conv_dims *d, const float *dcols, int64_t b0, int64_t n, float *dx) {
  const int64_t C = d->C, rowLen = d->KW * C;
  const float *src = dcols;
  for (int64_t b = b0; b < b0 + n; b++)
    for (int64_t oy = 0; oy < d->OH; oy++)
      for (int64_t ox = 0; ox < d->OW; ox++) {
        int64_t x0 = ox - d->PL, kx0 = x0 < 0 ? -x0 : 0, kx1 = d->W - x0 < d->KW ? d->W - x0 : d->KW;
        for (int64_t ky = 0; ky < d->KH; ky++, src += rowLen) {
          int64_t iy = oy + ky - d->PT;
          if (iy < 0 || iy >= d->H || kx1 <= kx0) continue;
          float *to = dx + ((b * d->H + iy) * d->W + x0 + kx0) * C;
          const float *from = src + kx0 * C;
          for (int64_t j = 0, len = (kx1 - kx0) * C; j < len; j++) to[j] += from[j];
        }
      }
}

// conv2d(x, w, b | null, y, dims): y [B, OH, OW, O] = patches(x) · w (+ b), ReLU'd when dims.relu.
static napi_value conv2d_fwd(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  if (!get_args(env, info, 5, argv)) return NULL;
  conv_dims d;
  size_t nx = 0, nw = 0, nb = 0, ny = 0;
  float *x = f32(env, argv[0], &nx), *w = f32(env, argv[1], &nw), *y = f32(env, argv[3], &ny);
  napi_valuetype bt;
  napi_typeof(env, argv[2], &bt);
  int hasB = bt != napi_null && bt != napi_undefined;
  float *b = hasB ? f32(env, argv[2], &nb) : NULL;
  if (!conv_read_dims(env, argv[4], &d) || !x || !w || !y || (hasB && (!b || nb != (size_t)d.O)) ||
      nx != (size_t)(d.B * d.H * d.W * d.C) || nw != (size_t)(d.K * d.O) || ny != (size_t)(d.B * d.P * d.O))
    CHECK(napi_generic_failure);
  int64_t chunk = conv_chunk(&d);
  float *cols = malloc(sizeof(float) * chunk * d.P * d.K);
  if (!cols) {
    napi_throw_error(env, NULL, "conv2d: out of memory");
    return NULL;
  }
  for (int64_t b0 = 0; b0 < d.B; b0 += chunk) {
    int64_t n = d.B - b0 < chunk ? d.B - b0 : chunk, rows = n * d.P;
    float *yc = y + b0 * d.P * d.O;
    im2col_nhwc(&d, x, b0, n, cols);
    if (gemm_one(0, 0, rows, d.O, d.K, cols, w, yc)) {
      free(cols);
      napi_throw_error(env, NULL, "conv2d: out of memory in sgemm");
      return NULL;
    }
    for (int64_t r = 0; r < rows; r++) {
      float *yr = yc + r * d.O;
      if (b)
        for (int64_t j = 0; j < d.O; j++) yr[j] += b[j];
      if (d.relu)
        for (int64_t j = 0; j < d.O; j++) yr[j] = yr[j] > 0 ? yr[j] : 0;
    }
  }
  free(cols);
  return NULL;
}

// conv2dGrad(dy, x | null, w | null, y | null, dx | null, dw | null, db | null, dims): the
// gradients of conv2d, each only when its output array is given; with dims.relu, dy is first
// masked where the output y was 0. dw = Σ patchesᵀ·dy (needs x), db = Σ rows of dy,
// dx = col2im(dy·wᵀ) (needs w).
static napi_value conv2d_grad(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!get_args(env, info, 8, argv)) return NULL;
  conv_dims d;
  if (!conv_read_dims(env, argv[7], &d)) CHECK(napi_generic_failure);
  size_t ndy = 0, nx = 0, nw = 0, ny = 0, ndx = 0, ndw = 0, ndb = 0;
  float *opt[7] = {NULL};
  size_t *lens[7] = {&ndy, &nx, &nw, &ny, &ndx, &ndw, &ndb};
  for (int i = 0; i < 7; i++) {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t != napi_null && t != napi_undefined && !(opt[i] = f32(env, argv[i], lens[i]))) CHECK(napi_generic_failure);
  }
  float *dy = opt[0], *x = opt[1], *w = opt[2], *y = opt[3], *dx = opt[4], *dw = opt[5], *db = opt[6];
  size_t outLen = (size_t)(d.B * d.P * d.O), inLen = (size_t)(d.B * d.H * d.W * d.C), wLen = (size_t)(d.K * d.O);
  if (!dy || ndy != outLen || (x && nx != inLen) || (w && nw != wLen) || (d.relu && (!y || ny != outLen)) ||
      (dx && (ndx != inLen || !w)) || (dw && (ndw != wLen || !x)) || (db && ndb != (size_t)d.O))
    CHECK(napi_generic_failure);
  int64_t chunk = conv_chunk(&d);
  float *cols = dx || dw ? malloc(sizeof(float) * chunk * d.P * d.K) : NULL;
  float *part = dw ? malloc(sizeof(float) * d.K * d.O) : NULL;
  float *masked = d.relu ? malloc(sizeof(float) * chunk * d.P * d.O) : NULL;
  int failed = ((dx || dw) && !cols) || (dw && !part) || (d.relu && !masked);
  if (dx) memset(dx, 0, sizeof(float) * inLen);
  if (db) memset(db, 0, sizeof(float) * d.O);
  for (int64_t b0 = 0; b0 < d.B && !failed; b0 += chunk) {
    int64_t n = d.B - b0 < chunk ? d.B - b0 : chunk, rows = n * d.P;
    const float *g = dy + b0 * d.P * d.O;
    if (d.relu) {
      const float *yc = y + b0 * d.P * d.O;
      for (int64_t i = 0; i < rows * d.O; i++) masked[i] = yc[i] > 0 ? g[i] : 0;
      g = masked;
    }
    if (db)
      for (int64_t r = 0; r < rows; r++)
        for (int64_t j = 0; j < d.O; j++) db[j] += g[r * d.O + j];
    if (dw) {
      im2col_nhwc(&d, x, b0, n, cols);
      if (gemm_one(1, 0, d.K, d.O, rows, cols, g, b0 == 0 ? dw : part)) {
        failed = 1;
        break;
      }
      if (b0 > 0)
        for (int64_t i = 0; i < d.K * d.O; i++) dw[i] += part[i];
    }
    if (dx) {
      if (gemm_one(0, 1, rows, d.K, d.O, g, w, cols)) {
        failed = 1;
        break;
      }
      col2im_nhwc(&d, cols, b0, n, dx);
    }
  }
  free(cols);
  free(part);
  free(masked);
  if (failed) napi_throw_error(env, NULL, "conv2dGrad: out of memory");
  return NULL;
}

// Max-pooling, NHWC, 'valid' windows. dims (Int32Array): [batch, height, width, channels, size,
// stride, outH, outW]. The gradient goes to the first maximum of each window (row-major).
typedef struct {
  int64_t B, H, W, C, S, T, OH, OW;
} pool_dims;

static int pool_read_dims(napi_env env, napi_value v, pool_dims *d) {
  size_t n = 0;
  int32_t *a = i32_array(env, v, &n);
  if (!a || n != 8) return 0;
  d->B = a[0], d->H = a[1], d->W = a[2], d->C = a[3], d->S = a[4], d->T = a[5], d->OH = a[6], d->OW = a[7];
  return d->B > 0 && d->C > 0 && d->S > 0 && d->T > 0 && d->OH > 0 && d->OW > 0 &&
         (d->OH - 1) * d->T + d->S <= d->H && (d->OW - 1) * d->T + d->S <= d->W;
}

// maxPool(x, y, dims)
static napi_value max_pool(napi_env env, napi_callback_info info) {
  napi_value argv[3];
  if (!get_args(env, info, 3, argv)) return NULL;
  pool_dims d;
  size_t nx = 0, ny = 0;
  float *x = f32(env, argv[0], &nx), *y = f32(env, argv[1], &ny);
  if (!pool_read_dims(env, argv[2], &d) || !x || !y || nx != (size_t)(d.B * d.H * d.W * d.C) ||
      ny != (size_t)(d.B * d.OH * d.OW * d.C))
    CHECK(napi_generic_failure);
  const int64_t C = d.C;
  for (int64_t b = 0; b < d.B; b++)
    for (int64_t oy = 0; oy < d.OH; oy++)
      for (int64_t ox = 0; ox < d.OW; ox++) {
        float *out = y + ((b * d.OH + oy) * d.OW + ox) * C;
        for (int64_t ky = 0; ky < d.S; ky++)
          for (int64_t kx = 0; kx < d.S; kx++) {
            const float *in = x + ((b * d.H + oy * d.T + ky) * d.W + ox * d.T + kx) * C;
            if (ky == 0 && kx == 0)
              memcpy(out, in, sizeof(float) * C);
            else
              for (int64_t c = 0; c < C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
          }
      }
  return NULL;
}

// maxPoolGrad(dy, x, dx, dims): dx = dy routed to each window's first maximum, 0 elsewhere.
static napi_value max_pool_grad(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  if (!get_args(env, info, 4, argv)) return NULL;
  pool_dims d;
  size_t ndy = 0, nx = 0, ndx = 0;
  float *dy = f32(env, argv[0], &ndy), *x = f32(env, argv[1], &nx), *dx = f32(env, argv[2], &ndx);
  if (!pool_read_dims(env, argv[3], &d) || !dy || !x || !dx || nx != (size_t)(d.B * d.H * d.W * d.C) ||
      ndx != nx || ndy != (size_t)(d.B * d.OH * d.OW * d.C))
    CHECK(napi_generic_failure);
  memset(dx, 0, sizeof(float) * nx);
  const int64_t C = d.C;
  for (int64_t b = 0; b < d.B; b++)
    for (int64_t oy = 0; oy < d.OH; oy++)
      for (int64_t ox = 0; ox < d.OW; ox++) {
        const float *g = dy + ((b * d.OH + oy) * d.OW + ox) * C;
        const float *corner = x + ((b * d.H + oy * d.T) * d.W + ox * d.T) * C;
        for (int64_t c = 0; c < C; c++) {
          int64_t best = 0;
          float top = corner[c];
          for (int64_t ky = 0; ky < d.S; ky++)
            for (int64_t kx = 0; kx < d.S; kx++) {
              int64_t at = (ky * d.W + kx) * C;
              if (corner[at + c] > top) top = corner[at + c], best = at;
            }
          dx[(b * d.H + oy * d.T) * d.W * C + ox * d.T * C + best + c] += g[c];
        }
      }
  return NULL;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"gemm", NULL, gemm, NULL, NULL, NULL, napi_default, NULL},
      {"binary", NULL, binary, NULL, NULL, NULL, napi_default, NULL},
      {"unary", NULL, unary, NULL, NULL, NULL, napi_default, NULL},
      {"reduce", NULL, reduce, NULL, NULL, NULL, napi_default, NULL},
      {"transpose", NULL, transpose, NULL, NULL, NULL, napi_default, NULL},
      {"softmax", NULL, softmax, NULL, NULL, NULL, napi_default, NULL},
      {"adamw", NULL, adamw, NULL, NULL, NULL, napi_default, NULL},
      {"sumSquares", NULL, sum_squares, NULL, NULL, NULL, napi_default, NULL},
      {"gelu", NULL, gelu, NULL, NULL, NULL, napi_default, NULL},
      {"geluGrad", NULL, gelu_grad, NULL, NULL, NULL, napi_default, NULL},
      {"layerNorm", NULL, layer_norm, NULL, NULL, NULL, napi_default, NULL},
      {"layerNormGrad", NULL, layer_norm_grad, NULL, NULL, NULL, napi_default, NULL},
      {"setThreads", NULL, set_threads, NULL, NULL, NULL, napi_default, NULL},
      {"getThreads", NULL, get_threads, NULL, NULL, NULL, napi_default, NULL},
      {"setGemm", NULL, set_gemm, NULL, NULL, NULL, napi_default, NULL},
      {"gemmInfo", NULL, gemm_info, NULL, NULL, NULL, napi_default, NULL},
      {"decodeStep", NULL, decode_step, NULL, NULL, NULL, napi_default, NULL},
      {"attention", NULL, attention, NULL, NULL, NULL, napi_default, NULL},
      {"linear", NULL, linear_fwd, NULL, NULL, NULL, napi_default, NULL},
      {"linearGrad", NULL, linear_grad, NULL, NULL, NULL, napi_default, NULL},
      {"attentionGrad", NULL, attention_grad, NULL, NULL, NULL, napi_default, NULL},
      {"conv2d", NULL, conv2d_fwd, NULL, NULL, NULL, napi_default, NULL},
      {"conv2dGrad", NULL, conv2d_grad, NULL, NULL, NULL, napi_default, NULL},
      {"maxPool", NULL, max_pool, NULL, NULL, NULL, napi_default, NULL},
      {"maxPoolGrad", NULL, max_pool_grad, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
