#!/usr/bin/env bash
# Debian packages the tests and the fast paths use. Safe to rerun; skipped when not root.
set -euo pipefail
packages=(libopenblas-dev fonts-dejavu-core redis-server chromium) # chromium: the eval viewer test drives it headless (playwright-core; test/harness/viewer.test.ts); libopenblas-dev: OpenBLAS sgemm for the native path (optional: the addon has its own, native/sgemm.c); fonts: text in PNG plots; redis-server: the queue tests (test/lab/queue.test.ts starts its own on loopback)
if [ ${#packages[@]} -eq 0 ]; then exit 0; fi
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: not root; please install: ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}"
