/**
 * The fast Node path: the native addon (native/) registered as kernels on tfjs's cpu backend.
 * Its sgemm is OpenBLAS when the build found libopenblas-dev, else its own blocked AVX2/FMA
 * kernel (portable C on CPUs without AVX2); ALIGNLAB_GEMM picks one. Matmul alone changes little — most of a training step's time is in tfjs's generic
 * JavaScript kernels (broadcasting elementwise ops, reductions, transposes, softmax) — so those
 * are native too. Inputs the addon does not cover (other dtypes, unusual axes) go to the
 * original cpu kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { BufferPool } from './buffer-pool.js';

export interface NativeStatus {
  ok: boolean;
  detail: string;
  /** The sgemm in use when ok: 'openblas', 'own-avx2' or 'own-portable'. */
  gemm?: GemmKernel;
  /** Whether the addon was built with OpenBLAS linked in. */
  openblas?: boolean;
}

export type GemmKernel = 'openblas' | 'own-avx2' | 'own-portable';
/** Values of ALIGNLAB_GEMM: auto (OpenBLAS when built in, else own), or one kernel. */
export const gemmChoices = ['auto', 'openblas', 'own', 'own-avx2', 'own-portable'] as const;

interface Addon {
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
  binary(
    op: number,
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    shape: number[],
    as: number[],
    bs: number[],
  ): void;
  unary(op: number, x: Float32Array, out: Float32Array): void;
  reduce(op: number, x: Float32Array, out: Float32Array, outer: number, mid: number, inner: number): void;
  transpose(x: Float32Array, out: Float32Array, shape: number[], perm: number[]): void;
  softmax(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  adamw(...args: [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, ...number[]]): void;
  sumSquares(x: Float32Array): number;
  gelu(x: Float32Array, out: Float32Array): void;
  geluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void;
  layerNorm(
    x: Float32Array,
    w: Float32Array,
    b: Float32Array,
    y: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  layerNormGrad(
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array,
    rows: number,
    cols: number,
    eps: number,
  ): void;
  setThreads(n: number): void;
  getThreads(): number;
  /** Selects the sgemm ('auto', 'openblas', 'own', 'own-avx2', 'own-portable'); returns the one in use. */
  setGemm(name: string): GemmKernel;
  gemmInfo(): { kernel: GemmKernel; openblas: boolean; avx2: boolean };
  /** y = x·w (+ b): one linear layer; absent from older addons. */
  linear?(
    x: Float32Array,
    w: Float32Array,
    b: Float32Array | null,
    y: Float32Array,
    m: number,
    k: number,
    n: number,
  ): void;
  linearGrad?(
    dy: Float32Array,
    x: Float32Array,
    w: Float32Array,
    dx: Float32Array,
    dw: Float32Array,
    db: Float32Array | null,
    m: number,
    k: number,
    n: number,
  ): void;
  /** Causal attention on packed q, k, v [B·T, 3C] → y [B·T, C]; absent from older addons. */
  attention?(qkv: Float32Array, y: Float32Array, batch: number, time: number, heads: number): void;
  attentionGrad?(
    dy: Float32Array,
    qkv: Float32Array,
    dqkv: Float32Array,
    batch: number,
    time: number,
    heads: number,
  ): void;
  /**
   * Convolution NHWC by im2col + sgemm (conv.ts); dims [B, H, W, C, O, kh, kw, padTop, padLeft,
   * outH, outW, relu]. Absent from addons built before it.
   */
  conv2d?(x: Float32Array, w: Float32Array, b: Float32Array | null, y: Float32Array, dims: Int32Array): void;
  /** Each gradient only where its output array is given: dx needs w, dw needs x, relu needs y. */
  conv2dGrad?(
    dy: Float32Array,
    x: Float32Array | null,
    w: Float32Array | null,
    y: Float32Array | null,
    dx: Float32Array | null,
    dw: Float32Array | null,
    db: Float32Array | null,
    dims: Int32Array,
  ): void;
  /** Max-pooling NHWC, dims [B, H, W, C, size, stride, outH, outW]. */
  maxPool?(x: Float32Array, y: Float32Array, dims: Int32Array): void;
  maxPoolGrad?(dy: Float32Array, x: Float32Array, dx: Float32Array, dims: Int32Array): void;
  /** One fused decode step (decode.ts); absent from addons built before it. */
  decodeStep?(
    weights: Float32Array[],
    dims: Int32Array,
    keys: Float32Array[],
    values: Float32Array[],
    lengths: Int32Array,
    tokens: Int32Array,
    logits: Float32Array,
  ): void;
}

let addon: Addon | undefined;
/** Outputs come from a pool unless ALIGNLAB_POOL=0 (kept as a switch to rule the pool out when debugging). */
let pool: BufferPool | undefined;
const alloc = (length: number) => (pool ? pool.alloc(length) : new Float32Array(length));
let status: NativeStatus | undefined;

/** Where node-gyp puts the addon, relative to both src/nn and dist/nn. */
const addonPath = '../../native/build/Release/alignlab_native.node';

/** The addon module: ALIGNLAB_ADDON (a path to another build, e.g. one without OpenBLAS) or the default. */
async function loadAddon(): Promise<Addon | string> {
  try {
    const { createRequire } = await import('node:module');
    return createRequire(import.meta.url)(process.env.ALIGNLAB_ADDON || addonPath) as Addon;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return message.includes('Cannot find module')
      ? 'addon not built (npm install builds it with node-gyp)'
      : message;
  }
}

type CpuBackend = tf.KernelBackend & {
  data: { get(id: tf.DataId): { values: unknown }; has(id: tf.DataId): boolean };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
};

function values(backend: CpuBackend, t: tf.TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32' || !backend.data.has(t.dataId)) return undefined;
  const v = backend.data.get(t.dataId).values;
  return v instanceof Float32Array ? v : undefined;
}

/** The loaded addon while the native path is active (for fused AdamW and norms); else undefined. */
export function nativeAddon(): Addon | undefined {
  return addon && tf.getBackend() === 'cpu' ? addon : undefined;
}

/** The cpu backend's own float32 storage of a tensor (no copy), or undefined off the native path. */
export function nativeStorage(t: tf.Tensor): Float32Array | undefined {
  if (!nativeAddon()) return undefined;
  return values(tf.backend() as CpuBackend, t);
}

const product = (xs: readonly number[]) => xs.reduce((a, b) => a * b, 1);

/** Strides of `shape` broadcast to `out` (right-aligned); a broadcast dimension steps by 0. */
function broadcastStrides(shape: readonly number[], out: readonly number[]): number[] {
  const strides = new Array<number>(out.length).fill(0);
  let step = 1;
  for (let i = shape.length - 1, d = out.length - 1; i >= 0; i--, d--) {
    strides[d] = shape[i] === 1 && out[d] !== 1 ? 0 : step;
    step *= shape[i];
  }
  return strides;
}

/** Normalized, sorted axes if they form one contiguous run; otherwise undefined. */
function contiguousAxes(axis: number | number[] | null | undefined, rank: number): number[] | undefined {
  const list =
    axis === undefined || axis === null ? [...Array(rank).keys()] : Array.isArray(axis) ? axis : [axis];
  const axes = [...new Set(list.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  for (let i = 1; i < axes.length; i++) if (axes[i] !== axes[i - 1] + 1) return undefined;
  return axes;
}

type Native = (args: {
  inputs: Record<string, tf.TensorInfo>;
  backend: CpuBackend;
  attrs: tf.NamedAttrMap;
}) => tf.TensorInfo | undefined;

function matMul(lib: Addon): Native {
  return ({ inputs, backend, attrs }) => {
    const { a, b } = inputs;
    const av = values(backend, a);
    const bv = values(backend, b);
    if (!av || !bv) return undefined;
    const ta = Boolean(attrs.transposeA);
    const tb = Boolean(attrs.transposeB);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = ta ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = ta ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
    const aBatch = product(a.shape.slice(0, -2));
    const bBatch = product(b.shape.slice(0, -2));
    if (aBatch !== bBatch && aBatch !== 1 && bBatch !== 1) return undefined;
    const batchShape = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const batch = Math.max(aBatch, bBatch);
    const out = alloc(batch * m * n);
    lib.gemm(
      av,
      bv,
      out,
      batch,
      m,
      n,
      k,
      ta ? 1 : 0,
      tb ? 1 : 0,
      aBatch === 1 ? 0 : m * k,
      bBatch === 1 ? 0 : k * n,
    );
    return backend.makeTensorInfo([...batchShape, m, n], 'float32', out);
  };
}

function binary(lib: Addon, op: number): Native {
  return ({ inputs, backend }) => {
    const { a, b } = inputs;
    const av = values(backend, a);
    const bv = values(backend, b);
    if (!av || !bv) return undefined;
    const shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    const out = alloc(product(shape));
    lib.binary(op, av, bv, out, shape, broadcastStrides(a.shape, shape), broadcastStrides(b.shape, shape));
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function unary(lib: Addon, op: number): Native {
  return ({ inputs, backend }) => {
    const xv = values(backend, inputs.x);
    if (!xv) return undefined;
    const out = alloc(xv.length);
    lib.unary(op, xv, out);
    return backend.makeTensorInfo(inputs.x.shape, 'float32', out);
  };
}

function reduction(lib: Addon, op: number, axisAttr: 'axis' | 'reductionIndices'): Native {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    const xv = values(backend, x);
    const axes = contiguousAxes(attrs[axisAttr] as number | number[] | null | undefined, x.shape.length);
    if (!xv || !axes) return undefined;
    if (axes.length === 0) return undefined; // identity: leave it to tfjs
    const first = axes[0];
    const last = axes[axes.length - 1];
    const outer = product(x.shape.slice(0, first));
    const inner = product(x.shape.slice(last + 1));
    const out = alloc(outer * inner);
    lib.reduce(op, xv, out, outer, product(x.shape.slice(first, last + 1)), inner);
    const shape = attrs.keepDims
      ? x.shape.map((s, i) => (axes.includes(i) ? 1 : s))
      : x.shape.filter((_, i) => !axes.includes(i));
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

function transpose(lib: Addon): Native {
  return ({ inputs, backend, attrs }) => {
    const xv = values(backend, inputs.x);
    if (!xv) return undefined;
    const perm = attrs.perm as number[];
    const out = alloc(xv.length);
    lib.transpose(xv, out, inputs.x.shape, perm);
    return backend.makeTensorInfo(
      perm.map((p) => inputs.x.shape[p]),
      'float32',
      out,
    );
  };
}

function softmax(lib: Addon): Native {
  return ({ inputs, backend, attrs }) => {
    const { logits } = inputs;
    const xv = values(backend, logits);
    const rank = logits.shape.length;
    const dim = attrs.dim as number;
    if (!xv || (dim !== -1 && dim !== rank - 1)) return undefined;
    const cols = logits.shape[rank - 1];
    const out = alloc(xv.length);
    lib.softmax(xv, out, xv.length / cols, cols);
    return backend.makeTensorInfo(logits.shape, 'float32', out);
  };
}

// Operation codes shared with native/alignlab_native.c.
const BINARY = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3, SquaredDifference: 4, Maximum: 5, Minimum: 6 };
const UNARY = {
  Exp: 0,
  Log: 1,
  Neg: 2,
  Sqrt: 3,
  Rsqrt: 4,
  Square: 5,
  Tanh: 6,
  Abs: 7,
  Reciprocal: 8,
  Relu: 9,
};
const REDUCE = { Sum: 0, Max: 1, Mean: 2 };

function kernels(lib: Addon): Record<string, Native> {
  const table: Record<string, Native> = {
    BatchMatMul: matMul(lib),
    Sum: reduction(lib, REDUCE.Sum, 'axis'),
    Mean: reduction(lib, REDUCE.Mean, 'axis'),
    Max: reduction(lib, REDUCE.Max, 'reductionIndices'),
    Transpose: transpose(lib),
    Softmax: softmax(lib),
    Pack: pack(),
    Cast: cast(),
    OneHot: oneHot(),
    GatherV2: gather(),
    Concat: concat(),
  };
  for (const [name, op] of Object.entries(BINARY)) table[name] = binary(lib, op);
  for (const [name, op] of Object.entries(UNARY)) table[name] = unary(lib, op);
  return table;
}

/**
 * Pack (tf.stack; the gradient of attention's unstack of q, k, v): tfjs's cpu kernel reshapes
 * and concatenates in JavaScript (~40 ms per call at the bench shape); here one block copy per
 * input and outer index.
 */
function pack(): Native {
  return ({ inputs, backend, attrs }) => {
    const parts = Object.values(inputs);
    const arrays = parts.map((t) => values(backend, t));
    if (parts.length === 0 || arrays.some((a) => !a)) return undefined;
    const shape = parts[0].shape;
    if (parts.some((t) => t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])))
      return undefined;
    let axis = attrs.axis as number;
    if (axis < 0) axis += shape.length + 1;
    const outer = product(shape.slice(0, axis));
    const inner = product(shape.slice(axis));
    const out = alloc(outer * parts.length * inner);
    for (let o = 0; o < outer; o++)
      arrays.forEach((a, i) => {
        out.set((a as Float32Array).subarray(o * inner, (o + 1) * inner), (o * parts.length + i) * inner);
      });
    const outShape = [...shape.slice(0, axis), parts.length, ...shape.slice(axis)];
    return backend.makeTensorInfo(outShape, 'float32', out);
  };
}

/**
 * GatherV2 (rows of a table; the KV cache keeping the rows still decoding) as block copies;
 * tfjs's cpu kernel indexes every element in JavaScript. Out-of-range indices go to tfjs.
 */
function gather(): Native {
  return ({ inputs, backend, attrs }) => {
    const { x, indices } = inputs;
    const xv = values(backend, x);
    if (!xv || !backend.data.has(indices.dataId) || ((attrs.batchDims as number) ?? 0) !== 0)
      return undefined;
    const ids = backend.data.get(indices.dataId).values;
    if (!(ids instanceof Int32Array)) return undefined;
    let axis = (attrs.axis as number) ?? 0;
    if (axis < 0) axis += x.shape.length;
    const size = x.shape[axis];
    if (ids.some((i) => i < 0 || i >= size)) return undefined;
    const outer = product(x.shape.slice(0, axis));
    const inner = product(x.shape.slice(axis + 1));
    const out = alloc(outer * ids.length * inner);
    for (let o = 0; o < outer; o++)
      ids.forEach((id, j) => {
        const from = (o * size + id) * inner;
        out.set(xv.subarray(from, from + inner), (o * ids.length + j) * inner);
      });
    const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/** Concat (the KV cache growing by one position) as block copies. */
function concat(): Native {
  return ({ inputs, backend, attrs }) => {
    const parts = Object.values(inputs);
    const arrays = parts.map((t) => values(backend, t));
    if (parts.length === 0 || arrays.some((a) => !a)) return undefined;
    const rank = parts[0].shape.length;
    let axis = attrs.axis as number;
    if (axis < 0) axis += rank;
    const outer = product(parts[0].shape.slice(0, axis));
    const inners = parts.map((t) => product(t.shape.slice(axis)));
    const stride = inners.reduce((a, b) => a + b, 0);
    const out = alloc(outer * stride);
    for (let o = 0; o < outer; o++) {
      let at = o * stride;
      arrays.forEach((a, i) => {
        out.set((a as Float32Array).subarray(o * inners[i], (o + 1) * inners[i]), at);
        at += inners[i];
      });
    }
    const shape = [...parts[0].shape];
    shape[axis] = parts.reduce((n, t) => n + t.shape[axis], 0);
    return backend.makeTensorInfo(shape, 'float32', out);
  };
}

/**
 * Cast of int32 or bool to float32: tfjs's cpu kernel keeps the integer array as the float
 * tensor's storage (a widening cast "loses nothing"), so every native kernel downstream fell
 * back to tfjs's JavaScript one — the one-hot embedding's matmul and its gradient cost ~30 ms
 * each per tiny bench step that way. Here a float32 copy (the same values, exactly).
 */
function cast(): Native {
  return ({ inputs, backend, attrs }) => {
    const { x } = inputs;
    if (attrs.dtype !== 'float32' || (x.dtype !== 'int32' && x.dtype !== 'bool')) return undefined;
    if (!backend.data.has(x.dataId)) return undefined;
    const v = backend.data.get(x.dataId).values;
    if (!(v instanceof Int32Array || v instanceof Uint8Array)) return undefined;
    const out = alloc(v.length);
    out.set(v);
    return backend.makeTensorInfo(x.shape, 'float32', out);
  };
}

/** OneHot (the embedding's one-hot rows): tfjs's cpu kernel loops in JavaScript over a fresh array. */
function oneHot(): Native {
  return ({ inputs, backend, attrs }) => {
    const { indices } = inputs;
    if (!backend.data.has(indices.dataId)) return undefined;
    const ids = backend.data.get(indices.dataId).values;
    const dtype = attrs.dtype as tf.DataType;
    if (!(ids instanceof Int32Array) || (dtype !== 'float32' && dtype !== 'int32')) return undefined;
    const depth = attrs.depth as number;
    const on = attrs.onValue as number;
    const off = attrs.offValue as number;
    const out = dtype === 'float32' ? alloc(ids.length * depth) : new Int32Array(ids.length * depth);
    out.fill(off);
    ids.forEach((id, r) => {
      if (id >= 0 && id < depth) out[r * depth + id] = on;
    });
    return backend.makeTensorInfo([...indices.shape, depth], dtype, out as Float32Array);
  };
}

/** Unpack (tf.unstack) along an axis: tfjs's cpu kernel slices in JavaScript; here block copies. */
function registerUnpack(): void {
  const original = tf.getKernel('Unpack', 'cpu');
  if (!original) return;
  tf.unregisterKernel('Unpack', 'cpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) => {
      const backend = args.backend as CpuBackend;
      const value = (args.inputs as Record<string, tf.TensorInfo>).value;
      const v = values(backend, value);
      if (!v) return original.kernelFunc(args);
      let axis = (args.attrs?.axis as number) ?? 0;
      if (axis < 0) axis += value.shape.length;
      const count = value.shape[axis];
      const outer = product(value.shape.slice(0, axis));
      const inner = product(value.shape.slice(axis + 1));
      const shape = value.shape.filter((_, i) => i !== axis);
      return Array.from({ length: count }, (_, i) => {
        const out = alloc(outer * inner);
        for (let o = 0; o < outer; o++)
          out.set(v.subarray((o * count + i) * inner, (o * count + i + 1) * inner), o * inner);
        return backend.makeTensorInfo(shape, 'float32', out);
      });
    },
  });
}

/** Inputs as float32 storage, or an error: fused kernels exist only on the native path. */
function storage(backend: CpuBackend, ...ts: (tf.TensorInfo | undefined)[]): Float32Array[] {
  return ts.map((t) => {
    const v = t && values(backend, t);
    if (!v) throw new Error('fused kernel: float32 input on the native path expected');
    return v;
  });
}

/** Kernels with no tfjs counterpart, run through fused.ts's custom gradients. */
function fusedKernels(lib: Addon): Record<string, Native> {
  return {
    AlignlabGelu: ({ inputs, backend }) => {
      const [x] = storage(backend, inputs.x);
      const out = alloc(x.length);
      lib.gelu(x, out);
      return backend.makeTensorInfo(inputs.x.shape, 'float32', out);
    },
    AlignlabGeluGrad: ({ inputs, backend }) => {
      const [dy, x] = storage(backend, inputs.dy, inputs.x);
      const out = alloc(x.length);
      lib.geluGrad(dy, x, out);
      return backend.makeTensorInfo(inputs.x.shape, 'float32', out);
    },
    AlignlabLinear: ({ inputs, backend }) => {
      const [x, w] = storage(backend, inputs.x, inputs.weight);
      const b = inputs.bias ? storage(backend, inputs.bias)[0] : null;
      const [m, k] = (inputs.x as tf.TensorInfo).shape;
      const n = w.length / k;
      const out = alloc(m * n);
      lib.linear?.(x, w, b, out, m, k, n);
      return backend.makeTensorInfo([m, n], 'float32', out);
    },
    AlignlabAttention: ({ inputs, backend, attrs }) => {
      const [qkv] = storage(backend, inputs.qkv);
      const out = alloc(qkv.length / 3);
      const { batch, time, heads } = attrs as { batch: number; time: number; heads: number };
      lib.attention?.(qkv, out, batch, time, heads);
      const rows = (inputs.qkv as tf.TensorInfo).shape[0];
      return backend.makeTensorInfo([rows, out.length / rows], 'float32', out);
    },
    AlignlabAttentionGrad: ({ inputs, backend, attrs }) => {
      const [dy, qkv] = storage(backend, inputs.dy, inputs.qkv);
      const out = alloc(qkv.length);
      const { batch, time, heads } = attrs as { batch: number; time: number; heads: number };
      lib.attentionGrad?.(dy, qkv, out, batch, time, heads);
      return backend.makeTensorInfo((inputs.qkv as tf.TensorInfo).shape, 'float32', out);
    },
    AlignlabLayerNorm: ({ inputs, backend, attrs }) => {
      const [x, w, b] = storage(backend, inputs.x, inputs.weight, inputs.bias);
      const cols = w.length;
      const out = alloc(x.length);
      lib.layerNorm(x, w, b, out, x.length / cols, cols, attrs.epsilon as number);
      return backend.makeTensorInfo(inputs.x.shape, 'float32', out);
    },
  };
}

/** LayerNorm's backward pass has three outputs, which the single-output table above cannot hold. */
function registerLayerNormGrad(lib: Addon): void {
  tf.registerKernel({
    kernelName: 'AlignlabLayerNormGrad',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend: b, attrs }) => {
      const backend = b as CpuBackend;
      const [dy, x, w] = storage(backend, inputs.dy, inputs.x, inputs.weight);
      const cols = w.length;
      const dx = alloc(x.length);
      const dw = alloc(cols);
      const db = alloc(cols);
      lib.layerNormGrad(dy, x, w, dx, dw, db, x.length / cols, cols, attrs?.epsilon as number);
      return [
        backend.makeTensorInfo((inputs.x as tf.TensorInfo).shape, 'float32', dx),
        backend.makeTensorInfo([cols], 'float32', dw),
        backend.makeTensorInfo([cols], 'float32', db),
      ];
    },
  });
}

/** The linear layer's backward pass: dx, dw and (with a bias) db from one call. */
function registerLinearGrad(lib: Addon): void {
  tf.registerKernel({
    kernelName: 'AlignlabLinearGrad',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend: b }) => {
      const backend = b as CpuBackend;
      const [dy, x, w] = storage(backend, inputs.dy, inputs.x, inputs.weight);
      const [m, k] = (inputs.x as tf.TensorInfo).shape;
      const n = w.length / k;
      const dx = alloc(m * k);
      const dw = alloc(k * n);
      const db = inputs.bias ? alloc(n) : null;
      lib.linearGrad?.(dy, x, w, dx, dw, db, m, k, n);
      const out = [
        backend.makeTensorInfo([m, k], 'float32', dx),
        backend.makeTensorInfo([k, n], 'float32', dw),
      ];
      if (db) out.push(backend.makeTensorInfo([n], 'float32', db));
      return out;
    },
  });
}

/**
 * Conv2D and max-pooling (conv.ts) as kernels with registered gradients. Each input's gradient
 * is its own kernel, so tfjs computes only those it needs (no dx for a first layer's images).
 */
function registerConvKernels(lib: Addon): void {
  const { conv2d, conv2dGrad, maxPool, maxPoolGrad } = lib;
  if (!conv2d || !conv2dGrad || !maxPool || !maxPoolGrad) return;
  const dimsOf = (attrs: tf.NamedAttrMap | undefined) => Int32Array.from(attrs?.dims as number[]);
  const kernel = (kernelName: string, fn: Native) =>
    tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: fn as unknown as tf.KernelFunc });
  // dims: [B, H, W, C, O, kh, kw, padTop, padLeft, outH, outW, relu]
  kernel('AlignlabConv2D', ({ inputs, backend, attrs }) => {
    const dims = dimsOf(attrs);
    const [x, w] = storage(backend, inputs.x, inputs.filter);
    const b = inputs.bias ? storage(backend, inputs.bias)[0] : null;
    const [B, , , , O, , , , , oh, ow] = dims;
    const out = alloc(B * oh * ow * O);
    conv2d(x, w, b, out, dims);
    return backend.makeTensorInfo([B, oh, ow, O], 'float32', out);
  });
  kernel('AlignlabConv2DGradInput', ({ inputs, backend, attrs }) => {
    const dims = dimsOf(attrs);
    const [dy, w, y] = storage(backend, inputs.dy, inputs.filter, inputs.y);
    const [B, H, W, C] = dims;
    const dx = alloc(B * H * W * C);
    conv2dGrad(dy, null, w, y, dx, null, null, dims);
    return backend.makeTensorInfo([B, H, W, C], 'float32', dx);
  });
  kernel('AlignlabConv2DGradFilter', ({ inputs, backend, attrs }) => {
    const dims = dimsOf(attrs);
    const [dy, x, y] = storage(backend, inputs.dy, inputs.x, inputs.y);
    const [, , , C, O, kh, kw] = dims;
    const dw = alloc(kh * kw * C * O);
    conv2dGrad(dy, x, null, y, null, dw, null, dims);
    return backend.makeTensorInfo([kh, kw, C, O], 'float32', dw);
  });
  kernel('AlignlabConv2DGradBias', ({ inputs, backend, attrs }) => {
    const dims = dimsOf(attrs);
    const [dy, y] = storage(backend, inputs.dy, inputs.y);
    const db = alloc(dims[4]);
    conv2dGrad(dy, null, null, y, null, null, db, dims);
    return backend.makeTensorInfo([dims[4]], 'float32', db);
  });
  tf.registerGradient({
    kernelName: 'AlignlabConv2D',
    inputsToSave: ['x', 'filter'],
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const [x, filter, y] = saved;
      const g = dy as tf.Tensor;
      return {
        x: () => run('AlignlabConv2DGradInput', { dy: g, filter, y }, attrs) as tf.Tensor,
        filter: () => run('AlignlabConv2DGradFilter', { dy: g, x, y }, attrs) as tf.Tensor,
        bias: () => run('AlignlabConv2DGradBias', { dy: g, y }, attrs) as tf.Tensor,
      };
    },
  });
  // dims: [B, H, W, C, size, stride, outH, outW]
  kernel('AlignlabMaxPool', ({ inputs, backend, attrs }) => {
    const dims = dimsOf(attrs);
    const [x] = storage(backend, inputs.x);
    const [B, , , C, , , oh, ow] = dims;
    const out = alloc(B * oh * ow * C);
    maxPool(x, out, dims);
    return backend.makeTensorInfo([B, oh, ow, C], 'float32', out);
  });
  kernel('AlignlabMaxPoolGrad', ({ inputs, backend, attrs }) => {
    const [dy, x] = storage(backend, inputs.dy, inputs.x);
    const dx = alloc(x.length);
    maxPoolGrad(dy, x, dx, dimsOf(attrs));
    return backend.makeTensorInfo((inputs.x as tf.TensorInfo).shape, 'float32', dx);
  });
  tf.registerGradient({
    kernelName: 'AlignlabMaxPool',
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => ({
      x: () => run('AlignlabMaxPoolGrad', { dy: dy as tf.Tensor, x: saved[0] }, attrs) as tf.Tensor,
    }),
  });
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap = {}) =>
  tf.engine().runKernel(name, inputs, attrs);

/** Replaces cpu kernels by native ones, keeping each original as the fallback for inputs it handles better. */
function override(name: string, native: Native): void {
  const original = tf.getKernel(name, 'cpu');
  if (!original) return;
  tf.unregisterKernel(name, 'cpu');
  tf.registerKernel({
    ...original,
    kernelFunc: (args) =>
      native(args as Parameters<Native>[0]) ?? (original.kernelFunc(args) as tf.TensorInfo | tf.TensorInfo[]),
  });
}

/**
 * Loads the addon once and overrides the cpu kernels. BLAS threads: ALIGNLAB_BLAS_THREADS,
 * default 1 (the machine is shared, and PyTorch with 1 thread is the reference).
 */
export async function registerNativeKernels(): Promise<NativeStatus> {
  if (status) return status;
  const loaded = await loadAddon();
  if (typeof loaded === 'string') {
    status = { ok: false, detail: loaded };
    return status;
  }
  const wanted = process.env.ALIGNLAB_GEMM || 'auto';
  if (!(gemmChoices as readonly string[]).includes(wanted)) {
    status = { ok: false, detail: `ALIGNLAB_GEMM=${wanted} is not one of ${gemmChoices.join(', ')}` };
    return status;
  }
  if (typeof loaded.setGemm !== 'function') {
    status = {
      ok: false,
      detail: 'addon predates the own sgemm: rebuild it (npm rebuild alignlab or npm ci)',
    };
    return status;
  }
  let gemm: GemmKernel;
  try {
    gemm = loaded.setGemm(wanted);
  } catch (error) {
    status = { ok: false, detail: `ALIGNLAB_GEMM=${wanted}: ${(error as Error).message}` };
    return status;
  }
  addon = loaded;
  const threads = Number(process.env.ALIGNLAB_BLAS_THREADS ?? 1);
  addon.setThreads(Number.isInteger(threads) && threads > 0 ? threads : 1);
  if (process.env.ALIGNLAB_POOL !== '0') {
    pool = new BufferPool();
    pool.attach(tf.backend() as unknown as Parameters<BufferPool['attach']>[0]);
  }
  for (const [name, kernel] of Object.entries(kernels(addon))) override(name, kernel);
  for (const [name, kernel] of Object.entries(fusedKernels(addon))) {
    tf.registerKernel({
      kernelName: name,
      backendName: 'cpu',
      kernelFunc: kernel as unknown as tf.KernelFunc,
    });
  }
  registerLayerNormGrad(addon);
  registerLinearGrad(addon);
  registerConvKernels(addon);
  registerUnpack();
  const { openblas } = addon.gemmInfo();
  status = { ok: true, detail: describeGemm(gemm, openblas, addon.getThreads()), gemm, openblas };
  return status;
}

/** One phrase for doctor and the backend line, e.g. "sgemm: own AVX2/FMA kernel (OpenBLAS not built in)". */
export function describeGemm(gemm: GemmKernel, openblas: boolean, threads: number): string {
  if (gemm === 'openblas') return `sgemm: OpenBLAS, ${threads} thread(s)`;
  const kernel = gemm === 'own-avx2' ? 'own AVX2/FMA kernel' : 'own portable C kernel (no AVX2/FMA)';
  return `sgemm: ${kernel}, 1 thread${openblas ? ', OpenBLAS built in but not chosen' : ', OpenBLAS not built in'}`;
}
