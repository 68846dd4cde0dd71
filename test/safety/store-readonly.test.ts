// A read-only store can be listed; a reading command never creates a store or its folders
// (issue 12, finding 9).
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabStore } from '../../src/lab/store.js';
import { cli } from '../cli/helper.js';
import { BIN, ensureBuilt } from '../lab/dist-build.js';

/** The compiled CLI as user nobody (uid 65534), for permission tests when the tests run as root. */
function cliAsNobody(...argv: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...argv], { uid: 65534, gid: 65534, cwd: root });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += String(d);
    });
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.on('exit', (code) => done({ code, out, err }));
  });
}

const root = mkdtempSync(join(tmpdir(), 'alignlab-store-'));
const locked = join(root, 'locked');
chmodSync(root, 0o755);
// The compiled CLI is rebuilt when a source is newer (slow on a busy machine).
beforeAll(() => {
  if (process.getuid?.() === 0) ensureBuilt();
}, 300_000);
afterAll(() => {
  if (existsSync(locked)) chmodSync(locked, 0o755);
});

describe('stores', () => {
  it('runs list --db missing/dir/x.db is exit 2, says which commands create a store, creates nothing', async () => {
    const db = join(root, 'missing', 'dir', 'x.db');
    const r = await cli('runs', 'list', '--db', db);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /no store here: the folder .*missing\/dir does not exist \(alignlab run, sweep and reproduce create a store and its folder\)/,
    );
    expect(existsSync(join(root, 'missing'))).toBe(false);
  });

  it('runs list on a missing file in an existing folder lists nothing and creates no file', async () => {
    const db = join(root, 'absent.db');
    const r = await cli('runs', 'list', '--db', db);
    expect(r.code).toBe(0);
    expect(existsSync(db)).toBe(false);
  });

  it('a store in a read-only folder, as a read-only file, can still be listed', async () => {
    mkdirSync(locked);
    const db = join(locked, 'lab.db');
    const store = LabStore.open(db);
    const batch = store.createBatch('boat-race', 'test');
    store.createRuns([
      { batch, experiment: 'boat-race', config: {}, configHash: 'h', seed: 1, codeVersion: 'test' },
    ]);
    store.close();
    chmodSync(db, 0o444);
    chmodSync(locked, 0o555);
    // root writes through permissions: then the CLI runs as the unprivileged user nobody.
    const r =
      process.getuid?.() === 0
        ? await cliAsNobody('runs', 'list', '--db', db)
        : await cli('runs', 'list', '--db', db);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/boat-race/);
  });
});
