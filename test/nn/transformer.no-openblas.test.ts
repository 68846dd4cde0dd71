// A second build of the addon with OpenBLAS switched off (ALIGNLAB_OPENBLAS=0), as `npm ci` makes
// it on a machine without libopenblas-dev: its sgemm is correct, and the transformer
// specification passes on it (ALIGNLAB_ADDON loads that build).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { activeBackend } from '../../src/nn/index.js';
import { type GemmAddon, gemmCases, maxScaledError } from './sgemm-spec.js';
import { describeTransformer } from './transformer-spec.js';

// Built only where the default addon was (a C compiler and node-gyp are there).
const built = existsSync(new URL('../../native/build/Release/alignlab_native.node', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'alignlab-no-openblas-'));
const file = join(dir, 'alignlab_native.node');

beforeAll(() => {
  if (!built) return;
  const script = fileURLToPath(new URL('../../scripts/build-native.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script, '--out', dir], {
    encoding: 'utf8',
    env: { ...process.env, ALIGNLAB_OPENBLAS: '0' },
  });
  expect(result.status, result.stderr).toBe(0);
  process.env.ALIGNLAB_ADDON = file;
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeTransformer((path) => expect(path).toBe(built ? 'native' : 'wasm'));

it.skipIf(!built)('has no OpenBLAS, runs the own sgemm, and refuses ALIGNLAB_GEMM=openblas', () => {
  const lib = createRequire(import.meta.url)(file) as GemmAddon;
  expect(lib.gemmInfo().openblas).toBe(false);
  expect(activeBackend()?.native?.gemm?.startsWith('own')).toBe(true);
  expect(() => lib.setGemm('openblas')).toThrow(/without OpenBLAS/);
});

it.skipIf(!built)('its sgemm matches a naive matmul', () => {
  const lib = createRequire(import.meta.url)(file) as GemmAddon;
  // Same bound as sgemm.test.ts.
  expect(maxScaledError(lib, new Rng(12), gemmCases)).toBeLessThan(1e-5);
});
