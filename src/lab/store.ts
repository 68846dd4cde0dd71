/**
 * The lab's store: one SQLite file (better-sqlite3, WAL) with runs, their metrics and their
 * artifacts. Every write is a transaction, so a run killed midway leaves whole batches and
 * a status that says so: runs left 'running' or 'queued' by a process that no longer
 * exists are marked 'interrupted' the next time the store is opened. A file that is not an
 * alignlab database, or one locked by another writer, is refused with a clear error and
 * left as it was.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { UserInputError } from '../core/errors.js';
import type { RunResult, SweepValue } from '../experiments/types.js';

export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted';
export const RUN_STATUSES: readonly RunStatus[] = ['queued', 'running', 'done', 'failed', 'interrupted'];

/** The store's default path (relative to the working folder). */
export const DEFAULT_DB_PATH = '.alignlab/lab.db';

/** `--db`, else `$ALIGNLAB_DB`, else `.alignlab/lab.db` under the working directory. */
export function resolveDbPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(flag ?? env.ALIGNLAB_DB ?? DEFAULT_DB_PATH);
}

/** One stored run: experiment, config, seed, status and result. */
export interface RunRecord {
  id: number;
  batch: number;
  experiment: string;
  config: unknown;
  configHash: string;
  seed: number;
  sweepParam: string | null;
  sweepValue: SweepValue | null;
  codeVersion: string;
  status: RunStatus;
  attempt: number;
  pid: number;
  host: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  result: RunResult | null;
  error: string | null;
}

export interface NewRun {
  batch: number;
  experiment: string;
  config: unknown;
  configHash: string;
  seed: number;
  sweepParam?: string;
  sweepValue?: SweepValue;
  codeVersion: string;
}

/** Metric rows in columns, as they travel from a worker. */
export interface MetricBatch {
  steps: number[];
  names: string[];
  values: number[];
}

export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

/** Which runs `listRuns` returns. */
export interface RunFilter {
  experiment?: string;
  status?: RunStatus;
  batch?: number;
  limit?: number;
}

const SCHEMA_VERSION = 2;
/** PRAGMA application_id: "ALab", so a foreign SQLite file is told apart from ours. */
const APPLICATION_ID = 0x414c6162;

const SCHEMA = `
CREATE TABLE batches (
  id INTEGER PRIMARY KEY,
  experiment TEXT NOT NULL,
  command TEXT NOT NULL,
  created_at TEXT NOT NULL,
  arm TEXT,
  parent INTEGER REFERENCES batches(id)
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  batch INTEGER NOT NULL REFERENCES batches(id),
  experiment TEXT NOT NULL,
  config TEXT NOT NULL,
  config_hash TEXT NOT NULL,
  seed INTEGER NOT NULL,
  sweep_param TEXT,
  sweep_value TEXT,
  code_version TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'interrupted')),
  attempt INTEGER NOT NULL DEFAULT 1,
  pid INTEGER NOT NULL,
  host TEXT NOT NULL,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  result TEXT,
  error TEXT
);
CREATE INDEX runs_by_experiment ON runs(experiment, batch);
CREATE TABLE metrics (
  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL
);
CREATE INDEX metrics_by_run ON metrics(run, name, step);
CREATE TABLE artifacts (
  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  path TEXT,
  data BLOB,
  PRIMARY KEY (run, name)
);
`;

interface RunRow {
  id: number;
  batch: number;
  experiment: string;
  config: string;
  config_hash: string;
  seed: number;
  sweep_param: string | null;
  sweep_value: string | null;
  code_version: string;
  status: RunStatus;
  attempt: number;
  pid: number;
  host: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: string | null;
  error: string | null;
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    batch: row.batch,
    experiment: row.experiment,
    config: JSON.parse(row.config),
    configHash: row.config_hash,
    seed: row.seed,
    sweepParam: row.sweep_param,
    sweepValue: row.sweep_value === null ? null : JSON.parse(row.sweep_value),
    codeVersion: row.code_version,
    status: row.status,
    attempt: row.attempt,
    pid: row.pid,
    host: row.host,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    result: row.result === null ? null : JSON.parse(row.result),
    error: row.error,
  };
}

const now = () => new Date().toISOString();

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** SQLite failures a user can act on, as one-line errors; anything else stays a bug. */
function userFacing(error: unknown, path: string): unknown {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new UserInputError(
      `not a readable alignlab database (${code}); it was left untouched — move it away or pass another --db`,
      path,
    );
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new UserInputError(
      `database is locked by another process (${code}); nothing was changed — wait for it to finish and retry`,
      path,
    );
  }
  if (
    code.startsWith('SQLITE_READONLY') ||
    code.startsWith('SQLITE_CANTOPEN') ||
    code.startsWith('SQLITE_IOERR')
  ) {
    return new UserInputError(`cannot write the database (${code}): ${(error as Error).message}`, path);
  }
  return error;
}

export interface OpenOptions {
  /** How long a write waits for another writer's lock before giving up (ms). */
  busyTimeoutMs?: number;
  /**
   * 'create' (default): make the file and its folder when missing. 'existing': the file must
   * exist. 'read': the file must exist; when it cannot be written (a read-only file or folder),
   * it is opened read-only (no migration, dead runs not relabelled) so it can still be listed.
   */
  mode?: 'create' | 'existing' | 'read';
}

/** The commands that make a store where none is (for the error when a reading command finds none). */
export const STORE_CREATORS = 'alignlab run, sweep and reproduce';

const unwritable = (error: unknown) => {
  const code = (error as { code?: string }).code ?? '';
  return code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'EACCES';
};

/** Rows per INSERT statement when appending metrics. */
const ROWS_PER_INSERT = 64;

/** The SQLite store of runs, batches, metrics and artifacts. */
export class LabStore {
  private insertMetricRows?: Database.Statement;
  /** Removes the private copy of a read-only store. */
  private cleanup?: () => void;
  private insertMetricRow?: Database.Statement;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  /**
   * Opens (creating if needed) the store at `path`, then marks the runs of dead processes
   * interrupted. Throws UserInputError for a corrupted, foreign or locked file.
   */
  static open(path: string, options: OpenOptions = {}): LabStore {
    const file = resolve(path);
    const mode = options.mode ?? 'create';
    if (mode !== 'create' && !existsSync(file)) {
      if (!existsSync(dirname(file))) {
        throw new UserInputError(
          `no store here: the folder ${dirname(file)} does not exist (${STORE_CREATORS} create a store and its folder)`,
          path,
        );
      }
      if (mode === 'existing') throw new UserInputError(`no store here (${STORE_CREATORS} create one)`, path);
      // Nothing stored yet: list an empty store held in memory, and create no file.
      const empty = new LabStore(new Database(':memory:'), file);
      empty.migrate();
      return empty;
    }
    let db: Database.Database | undefined;
    try {
      if (mode === 'create') mkdirSync(dirname(file), { recursive: true });
      db = new Database(file, { timeout: options.busyTimeoutMs ?? 5000, fileMustExist: mode !== 'create' });
      const store = new LabStore(db, file);
      store.migrate();
      store.recoverOrphans();
      return store;
    } catch (error) {
      db?.close();
      if (mode === 'read' && unwritable(error)) return LabStore.openReadOnly(file);
      throw userFacing(error, file);
    }
  }

  /** A store that cannot be written, for listing: its schema must be current; nothing is changed. */
  private static openReadOnly(file: string): LabStore {
    let db: Database.Database | undefined;
    try {
      let snapshot: string | undefined;
      try {
        db = new Database(file, { readonly: true, fileMustExist: true });
        db.pragma('user_version', { simple: true });
      } catch (error) {
        if (!unwritable(error)) throw error;
        db?.close();
        // A WAL database in a folder we cannot write has no -shm to share: read a private copy.
        snapshot = mkdtempSync(join(tmpdir(), 'alignlab-readonly-'));
        const copy = join(snapshot, basename(file));
        copyFileSync(file, copy);
        if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
        db = new Database(copy, { fileMustExist: true });
      }
      const appId = db.pragma('application_id', { simple: true }) as number;
      const version = db.pragma('user_version', { simple: true }) as number;
      if (appId !== APPLICATION_ID)
        throw new UserInputError('this SQLite file is not an alignlab database; it was left untouched', file);
      if (version !== SCHEMA_VERSION) {
        throw new UserInputError(
          `read-only database with schema ${version} (this alignlab reads ${SCHEMA_VERSION}); open it once where it can be written`,
          file,
        );
      }
      const store = new LabStore(db, file);
      if (snapshot !== undefined) store.cleanup = () => rmSync(snapshot, { recursive: true, force: true });
      return store;
    } catch (error) {
      db?.close();
      throw userFacing(error, file);
    }
  }

  private guard<T>(action: () => T): T {
    try {
      return action();
    } catch (error) {
      throw userFacing(error, this.path);
    }
  }

  private migrate(): void {
    // Reading first: a garbage file fails here, before anything is written.
    const version = this.db.pragma('user_version', { simple: true }) as number;
    const appId = this.db.pragma('application_id', { simple: true }) as number;
    const tables = (
      this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as {
        n: number;
      }
    ).n;
    if (appId !== APPLICATION_ID && (appId !== 0 || tables > 0)) {
      throw new UserInputError(
        'this SQLite file is not an alignlab database; it was left untouched — pass another --db',
        this.path,
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new UserInputError(
        `database schema ${version} is newer than this alignlab (${SCHEMA_VERSION})`,
        this.path,
      );
    }
    if (this.db.pragma('journal_mode', { simple: true }) !== 'wal') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    if (version === 0) {
      this.db
        .transaction(() => {
          this.db.exec(SCHEMA);
          this.db.pragma(`application_id = ${APPLICATION_ID}`);
          this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })
        .immediate();
    } else if (version === 1) {
      // Schema 2: a batch may be a control arm of another (main) batch.
      this.db
        .transaction(() => {
          this.db.exec('ALTER TABLE batches ADD COLUMN arm TEXT');
          this.db.exec('ALTER TABLE batches ADD COLUMN parent INTEGER REFERENCES batches(id)');
          this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
        })
        .immediate();
    }
  }

  /** Runs left 'running'/'queued' by a process on this host that has died → 'interrupted'. */
  recoverOrphans(): number {
    return this.guard(() => {
      const host = hostname();
      const open = this.db
        .prepare("SELECT id, pid FROM runs WHERE status IN ('running', 'queued') AND host = ?")
        .all(host) as { id: number; pid: number }[];
      const dead = open.filter((r) => !processAlive(r.pid)).map((r) => r.id);
      if (dead.length > 0) this.markInterrupted(dead, 'the process running it died');
      return dead.length;
    });
  }

  /** A new batch; `control` makes it a control arm (named `arm`) of the main batch `parent`. */
  createBatch(experiment: string, command: string, control?: { arm: string; parent: number }): number {
    return this.guard(
      () =>
        this.db
          .prepare(
            'INSERT INTO batches (experiment, command, created_at, arm, parent) VALUES (?, ?, ?, ?, ?)',
          )
          .run(experiment, command, now(), control?.arm ?? null, control?.parent ?? null)
          .lastInsertRowid as number,
    );
  }

  /** The control-arm batches of a main batch, in the order they were created. */
  controlBatches(parent: number): { batch: number; arm: string }[] {
    return this.guard(
      () =>
        this.db.prepare('SELECT id AS batch, arm FROM batches WHERE parent = ? ORDER BY id').all(parent) as {
          batch: number;
          arm: string;
        }[],
    );
  }

  /** Creates queued runs in one transaction; returns their ids in order. */
  createRuns(runs: readonly NewRun[]): number[] {
    return this.guard(() => {
      const insert = this.db.prepare(
        `INSERT INTO runs (batch, experiment, config, config_hash, seed, sweep_param, sweep_value, code_version,
           status, pid, host, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?, ?)`,
      );
      return this.db
        .transaction(() =>
          runs.map(
            (r) =>
              insert.run(
                r.batch,
                r.experiment,
                JSON.stringify(r.config),
                r.configHash,
                r.seed,
                r.sweepParam ?? null,
                r.sweepValue === undefined ? null : JSON.stringify(r.sweepValue),
                r.codeVersion,
                process.pid,
                hostname(),
                now(),
              ).lastInsertRowid as number,
          ),
        )
        .immediate();
    });
  }

  startRun(id: number): void {
    this.guard(() =>
      this.db
        .prepare("UPDATE runs SET status = 'running', started_at = ?, pid = ?, host = ? WHERE id = ?")
        .run(now(), process.pid, hostname(), id),
    );
  }

  /** Appends a batch in one transaction, ROWS_PER_INSERT rows per statement (about 30% faster than one). */
  appendMetrics(id: number, batch: MetricBatch): void {
    const n = batch.steps.length;
    if (n === 0) return;
    this.guard(() => {
      this.insertMetricRows ??= this.db.prepare(
        `INSERT INTO metrics (run, step, name, value) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?)').join(', ')}`,
      );
      this.insertMetricRow ??= this.db.prepare(
        'INSERT INTO metrics (run, step, name, value) VALUES (?, ?, ?, ?)',
      );
      const many = this.insertMetricRows;
      const one = this.insertMetricRow;
      const args: unknown[] = new Array(4 * ROWS_PER_INSERT);
      this.db.transaction(() => {
        let i = 0;
        for (; i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT) {
          for (let j = 0; j < ROWS_PER_INSERT; j++) {
            args[4 * j] = id;
            args[4 * j + 1] = batch.steps[i + j];
            args[4 * j + 2] = batch.names[i + j];
            args[4 * j + 3] = batch.values[i + j];
          }
          many.run(args);
        }
        for (; i < n; i++) one.run(id, batch.steps[i], batch.names[i], batch.values[i]);
      })();
    });
  }

  putArtifact(id: number, name: string, data: string | Uint8Array): void {
    this.guard(() =>
      this.db
        .prepare('INSERT OR REPLACE INTO artifacts (run, name, data) VALUES (?, ?, ?)')
        .run(id, name, typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)),
    );
  }

  /** The last metrics and the result land together, or not at all. */
  finishRun(id: number, result: RunResult, lastMetrics?: MetricBatch): void {
    this.guard(() =>
      this.db.transaction(() => {
        if (lastMetrics) this.appendMetrics(id, lastMetrics);
        this.db
          .prepare("UPDATE runs SET status = 'done', finished_at = ?, result = ?, error = NULL WHERE id = ?")
          .run(now(), JSON.stringify(result), id);
      })(),
    );
  }

  failRun(id: number, error: string): void {
    this.guard(() =>
      this.db
        .prepare("UPDATE runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?")
        .run(now(), error, id),
    );
  }

  /** Marks still-open runs interrupted in one transaction (done/failed runs keep their status). */
  markInterrupted(ids: readonly number[], reason = 'interrupted'): void {
    if (ids.length === 0) return;
    this.guard(() => {
      const update = this.db.prepare(
        "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ? AND status IN ('queued', 'running')",
      );
      this.db.transaction(() => {
        for (const id of ids) update.run(now(), reason, id);
      })();
    });
  }

  /** Clears a run's metrics, artifacts and result and queues it again under the same id. */
  resetForRerun(id: number): void {
    this.guard(() =>
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM metrics WHERE run = ?').run(id);
        this.db.prepare('DELETE FROM artifacts WHERE run = ?').run(id);
        this.db
          .prepare(
            `UPDATE runs SET status = 'queued', attempt = attempt + 1, started_at = NULL, finished_at = NULL,
               result = NULL, error = NULL, pid = ?, host = ? WHERE id = ?`,
          )
          .run(process.pid, hostname(), id);
      })(),
    );
  }

  getRun(id: number): RunRecord | undefined {
    return this.guard(() => {
      const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined;
      return row && toRecord(row);
    });
  }

  /** The run, or a UserInputError naming the id. */
  requireRun(id: number): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new UserInputError(`no run with id ${id} in ${this.path} (see \`alignlab runs list\`)`);
    return run;
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.guard(() => {
      const where: string[] = [];
      const args: (string | number)[] = [];
      if (filter.experiment) {
        where.push('experiment = ?');
        args.push(filter.experiment);
      }
      if (filter.status) {
        where.push('status = ?');
        args.push(filter.status);
      }
      if (filter.batch !== undefined) {
        where.push('batch = ?');
        args.push(filter.batch);
      }
      const sql = `SELECT * FROM runs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id ${
        filter.limit ? `DESC LIMIT ${Math.trunc(filter.limit)}` : ''
      }`;
      const rows = (this.db.prepare(sql).all(...args) as RunRow[]).map(toRecord);
      return filter.limit ? rows.reverse() : rows;
    });
  }

  /** The newest main (not control) batch of an experiment that has at least one finished run. */
  latestBatch(experiment: string): number | undefined {
    return this.guard(() => {
      const row = this.db
        .prepare(
          "SELECT max(runs.batch) AS batch FROM runs JOIN batches ON batches.id = runs.batch WHERE runs.experiment = ? AND runs.status = 'done' AND batches.arm IS NULL",
        )
        .get(experiment) as { batch: number | null };
      return row.batch ?? undefined;
    });
  }

  metrics(id: number, name?: string): MetricPoint[] {
    return this.guard(
      () =>
        (name === undefined
          ? this.db.prepare('SELECT step, name, value FROM metrics WHERE run = ? ORDER BY name, step').all(id)
          : this.db
              .prepare('SELECT step, name, value FROM metrics WHERE run = ? AND name = ? ORDER BY step')
              .all(id, name)) as MetricPoint[],
    );
  }

  metricCount(id: number): number {
    return this.guard(
      () => (this.db.prepare('SELECT count(*) AS n FROM metrics WHERE run = ?').get(id) as { n: number }).n,
    );
  }

  artifacts(id: number): { name: string; data: Buffer }[] {
    return this.guard(
      () =>
        this.db.prepare('SELECT name, data FROM artifacts WHERE run = ? ORDER BY name').all(id) as {
          name: string;
          data: Buffer;
        }[],
    );
  }

  close(): void {
    if (this.db.open) this.db.close();
    this.cleanup?.();
  }
}
