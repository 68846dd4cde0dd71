/**
 * Which tfjs backend runs the tensors. In Node the fast path is tfjs's cpu backend with native
 * kernels (sgemm: OpenBLAS or the addon's own) registered over its hot ops; without the addon, or with
 * ALIGNLAB_NATIVE=0, it is the wasm backend (its .wasm files located in node_modules); the
 * plain cpu backend is the last resort. In a browser it is wasm, then cpu.
 */
// The union package registers the gradients; tfjs-core's own gradient entry does not resolve
// under Node's ESM loader.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type NativeStatus, registerNativeKernels } from './native.js';

export type BackendPath = 'native' | 'wasm' | 'cpu';
export const backendPaths: readonly BackendPath[] = ['native', 'wasm', 'cpu'];

export interface BackendInfo {
  path: BackendPath;
  /** One line for humans: what runs and why. */
  description: string;
  /** On the native path: which sgemm runs. */
  native?: NativeStatus;
}

let active: BackendInfo | undefined;
let pending: Promise<BackendInfo> | undefined;

const isNode = typeof process !== 'undefined' && process.versions?.node !== undefined;

/** ALIGNLAB_NATIVE=0 forces the portable path; ALIGNLAB_BACKEND=wasm|cpu|native picks one. */
function requestedPath(): BackendPath | undefined {
  const named = isNode ? process.env.ALIGNLAB_BACKEND : undefined;
  if (named && (backendPaths as readonly string[]).includes(named)) return named as BackendPath;
  return undefined;
}

function nativeDisabled(): boolean {
  return isNode && process.env.ALIGNLAB_NATIVE === '0';
}

async function wasmDirectory(): Promise<string | undefined> {
  if (!isNode) return undefined;
  const { createRequire } = await import('node:module');
  const path = await import('node:path');
  const require = createRequire(import.meta.url);
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'))}/`;
}

/** The native path, or why not (a string). */
async function tryNative(): Promise<BackendInfo | string | undefined> {
  if (!isNode || nativeDisabled()) return undefined;
  await tf.setBackend('cpu'); // the kernels attach to the initialized cpu backend
  const native = await registerNativeKernels();
  if (!native.ok) return native.detail;
  return {
    path: 'native',
    description: `native: tfjs cpu backend + native kernels (${native.detail})`,
    native,
  };
}

async function tryWasm(): Promise<BackendInfo | undefined> {
  try {
    if (!(await tf.setBackend('wasm'))) return undefined;
  } catch {
    return undefined;
  }
  return { path: 'wasm', description: 'wasm: tfjs WebAssembly backend (native addon not in use)' };
}

async function choose(want: BackendPath | undefined): Promise<BackendInfo> {
  // Production mode skips tfjs's debug checks and its "install tfjs-node" banner.
  tf.enableProdMode();
  // Located first whatever the path, so wasm stays available for comparisons.
  const dir = await wasmDirectory();
  if (dir) setWasmPaths(dir);
  let why = nativeDisabled() ? ' (ALIGNLAB_NATIVE=0)' : '';
  if (want === 'cpu') {
    await tf.setBackend('cpu');
    return { path: 'cpu', description: 'cpu: plain tfjs JavaScript kernels (requested)' };
  }
  if (want !== 'wasm') {
    const native = await tryNative();
    if (typeof native === 'string') why = ` (${native})`;
    else if (native) return native;
  }
  const wasm = await tryWasm();
  if (wasm) return { ...wasm, description: wasm.description + why };
  await tf.setBackend('cpu');
  return { path: 'cpu', description: `cpu: plain tfjs JavaScript kernels (wasm unavailable)${why}` };
}

/**
 * Sets up tfjs once per process and says which path is active. Later calls return the same
 * answer; `prefer` only matters on the first call (benchmarks and tests use ALIGNLAB_BACKEND
 * or separate processes to compare paths).
 */
export function initBackend(prefer?: BackendPath): Promise<BackendInfo> {
  if (active) return Promise.resolve(active);
  pending ??= choose(prefer ?? requestedPath()).then((info) => {
    active = info;
    return info;
  });
  return pending;
}

/** The active path, or undefined before `initBackend` resolved. */
export function activeBackend(): BackendInfo | undefined {
  return active;
}
