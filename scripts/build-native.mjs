// npm install hook: builds the optional OpenBLAS addon in native/ with node-gyp. It never fails
// the install; it prints one line saying which training path the package will use.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const nativeDir = path.join(root, 'native');
const say = (line) => console.log(`alignlab: ${line}`);
const fallback = (why) => say(`native addon not built (${why}); training runs on the wasm backend`);

function nodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    ),
  ];
  return candidates.find((c) => c && existsSync(c));
}

function main() {
  if (process.env.ALIGNLAB_NATIVE === '0') return fallback('ALIGNLAB_NATIVE=0');
  const blasHeaders = [
    '/usr/include/cblas.h',
    '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
    '/usr/include/openblas/cblas.h',
  ];
  if (!blasHeaders.some(existsSync) && !process.env.ALIGNLAB_FORCE_NATIVE_BUILD) {
    return fallback('no OpenBLAS headers: apt-get install libopenblas-dev');
  }
  const gyp = nodeGyp();
  if (!gyp) return fallback('node-gyp not found');
  // Build offline against the headers installed with Node when they are there.
  const prefix = path.dirname(path.dirname(process.execPath));
  const args = [gyp, 'rebuild'];
  if (existsSync(path.join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { cwd: nativeDir, encoding: 'utf8' });
  if (result.status === 0) return say('native addon built (OpenBLAS); training runs on the native path');
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const firstError = output.split('\n').find((l) => /error|not found/i.test(l) && !/^gyp info/.test(l));
  fallback((firstError ?? `node-gyp exited with ${result.status}`).trim().slice(0, 160));
}

main();
