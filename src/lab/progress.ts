/**
 * Progress of a batch of runs: live bars (cli-progress) on a terminal, plain log lines
 * otherwise (CI logs, pipes). Both write to stderr so that `--json` output stays clean.
 */
import cliProgress from 'cli-progress';

/** Where progress goes: stderr and whether it is a terminal (the CLI's io satisfies it). */
export interface ProgressOutput {
  err(text: string): void;
  isTTY: boolean;
}

export interface ProgressReporter {
  runStarted(id: number, label: string): void;
  runProgress(id: number, done: number, total: number): void;
  runFinished(id: number, status: string, detail?: string): void;
  close(): void;
}

export const silentReporter: ProgressReporter = {
  runStarted() {},
  runProgress() {},
  runFinished() {},
  close() {},
};

/** One line per start, per quarter of progress and per finish. */
export function lineReporter(io: ProgressOutput): ProgressReporter {
  const labels = new Map<number, string>();
  const quarters = new Map<number, number>();
  return {
    runStarted(id, label) {
      labels.set(id, label);
      quarters.set(id, 0);
      io.err(`run ${id} ${label}: started\n`);
    },
    runProgress(id, done, total) {
      const quarter = total > 0 ? Math.floor((4 * done) / total) : 0;
      if (quarter <= (quarters.get(id) ?? 0) || quarter >= 4) return;
      quarters.set(id, quarter);
      io.err(`run ${id} ${labels.get(id) ?? ''}: ${quarter * 25}%\n`);
    },
    runFinished(id, status, detail) {
      io.err(`run ${id} ${labels.get(id) ?? ''}: ${status}${detail ? ` ${detail}` : ''}\n`);
    },
    close() {},
  };
}

/** A bar per active run under a bar for the whole batch. */
export function barReporter(
  totalRuns: number,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressReporter {
  const multibar = new cliProgress.MultiBar(
    {
      stream,
      clearOnComplete: true,
      hideCursor: true,
      format: ' {bar} {percentage}% | {label}',
      barsize: 30,
    },
    cliProgress.Presets.shades_classic,
  );
  const overall = multibar.create(totalRuns, 0, { label: `0/${totalRuns} runs finished` });
  const bars = new Map<number, cliProgress.SingleBar>();
  let finished = 0;
  return {
    runStarted(id, label) {
      bars.set(id, multibar.create(1, 0, { label: `run ${id} ${label}` }));
    },
    runProgress(id, done, total) {
      const bar = bars.get(id);
      bar?.setTotal(total);
      bar?.update(done);
    },
    runFinished(id, status, detail) {
      const bar = bars.get(id);
      if (bar) multibar.remove(bar);
      bars.delete(id);
      finished += 1;
      overall.update(finished, { label: `${finished}/${totalRuns} runs finished` });
      if (status !== 'done') multibar.log(`run ${id}: ${status}${detail ? ` ${detail}` : ''}\n`);
    },
    close() {
      multibar.stop();
    },
  };
}

export function reporterFor(io: ProgressOutput, totalRuns: number): ProgressReporter {
  return io.isTTY && process.stderr.isTTY ? barReporter(totalRuns) : lineReporter(io);
}

/** One loop's progress (training steps, iterations). */
export interface StepProgress {
  update(done: number, status: string): void;
  stop(): void;
}

/**
 * A live bar on stderr when it is a terminal; otherwise about twenty plain lines
 * `label done/total  status` (the last step always among them).
 */
export function stepProgress(io: ProgressOutput, label: string, total: number): StepProgress {
  if (!io.isTTY) {
    const every = Math.max(1, Math.round(total / 20));
    return {
      update: (done, status) => {
        if (done % every === 0 || done === total) io.err(`${label} ${done}/${total}  ${status}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}  {status}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { status: '' });
  let stopped = false;
  return {
    update: (done, status) => bar.update(done, { status }),
    stop: () => {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
