// Prints 1 when OpenBLAS's CBLAS header and library are installed (Debian libopenblas-dev), else 0;
// binding.gyp links OpenBLAS only then. ALIGNLAB_OPENBLAS=0 forces 0 (the own sgemm alone).
const { existsSync } = require('node:fs');

const headers = [
  '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
  '/usr/include/openblas/cblas.h',
  '/usr/include/cblas.h',
];
const libraries = [
  '/usr/lib/x86_64-linux-gnu/libopenblas.so',
  '/usr/lib/aarch64-linux-gnu/libopenblas.so',
  '/usr/lib64/libopenblas.so',
  '/usr/lib/libopenblas.so',
  '/usr/local/lib/libopenblas.so',
];
const wanted = process.env.ALIGNLAB_OPENBLAS !== '0';
process.stdout.write(wanted && headers.some(existsSync) && libraries.some(existsSync) ? '1' : '0');
