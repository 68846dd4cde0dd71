// npm install hook: builds the native addon in native/ with node-gyp. It needs only the C
// compiler node-gyp needs anyway: the addon carries its own sgemm (AVX2/FMA, portable C
// elsewhere) and links OpenBLAS only when libopenblas-dev is installed. It never fails the
// install; it prints one line saying which training path (and which sgemm) the package will use.
//
//   node scripts/build-native.mjs                 # build native/build/Release/alignlab_native.node
//   node scripts/build-native.mjs --out <dir>     # build a copy elsewhere (tests: ALIGNLAB_OPENBLAS=0)
//
// ALIGNLAB_NATIVE=0 skips the build; ALIGNLAB_OPENBLAS=0 builds without OpenBLAS.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

/** Builds in `dir` (a directory holding binding.gyp and the sources); returns null or the first error. */
function build(dir) {
  const gyp = nodeGyp();
  if (!gyp) return 'node-gyp not found';
  // Build offline against the headers installed with Node when they are there.
  const prefix = path.dirname(path.dirname(process.execPath));
  const args = [gyp, 'rebuild'];
  if (existsSync(path.join(prefix, 'include/node/node_api.h'))) args.push(`--nodedir=${prefix}`);
  const result = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  if (result.status === 0) return null;
  const output = `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  const firstError = output.split('\n').find((l) => /error|not found/i.test(l) && !/^gyp info/.test(l));
  return (firstError ?? `node-gyp exited with ${result.status}`).trim().slice(0, 160);
}

function sgemmLine(addonFile) {
  const detect = spawnSync(process.execPath, [path.join(nativeDir, 'detect-openblas.cjs')], {
    encoding: 'utf8',
  });
  if (detect.stdout === '1') return 'sgemm: OpenBLAS';
  const cpu = spawnSync(
    process.execPath,
    ['-e', `process.stdout.write(require(${JSON.stringify(addonFile)}).gemmInfo().kernel)`],
    { encoding: 'utf8' },
  );
  const kernel = cpu.stdout === 'own-avx2' ? 'own AVX2/FMA kernel' : 'own portable C kernel';
  const why =
    process.env.ALIGNLAB_OPENBLAS === '0' ? 'ALIGNLAB_OPENBLAS=0' : 'no libopenblas-dev, not needed';
  return `sgemm: ${kernel} (${why})`;
}

function main() {
  if (process.env.ALIGNLAB_NATIVE === '0') return fallback('ALIGNLAB_NATIVE=0');
  const at = process.argv.indexOf('--out');
  const out = at >= 0 ? process.argv[at + 1] : undefined;
  if (at >= 0 && !out) {
    console.error('build-native: --out needs a directory');
    process.exit(2);
  }
  if (!out) {
    const error = build(nativeDir);
    const file = path.join(nativeDir, 'build/Release/alignlab_native.node');
    if (error) return fallback(error);
    return say(`native addon built (${sgemmLine(file)}); training runs on the native path`);
  }
  // A copy elsewhere: build in a scratch directory, then move the module into place in one rename.
  const scratch = mkdtempSync(path.join(tmpdir(), 'alignlab-native-'));
  try {
    for (const f of readdirSync(nativeDir))
      if (/\.(c|h|cjs|gyp)$/.test(f)) copyFileSync(path.join(nativeDir, f), path.join(scratch, f));
    const error = build(scratch);
    if (error) {
      console.error(`build-native: ${error}`);
      process.exit(1);
    }
    mkdirSync(out, { recursive: true });
    const target = path.join(out, 'alignlab_native.node');
    copyFileSync(path.join(scratch, 'build/Release/alignlab_native.node'), `${target}.tmp`);
    renameSync(`${target}.tmp`, target);
    say(`native addon built at ${target} (${sgemmLine(target)})`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

main();
