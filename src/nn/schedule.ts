/** Learning-rate schedules: functions from the step number (0-based) to a learning rate. */
export interface CosineScheduleOptions {
  peakLearningRate: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor reached at totalSteps and kept afterwards; default peak/10 (as nanoGPT). */
  minLearningRate?: number;
}

/** Linear warmup from peak/warmup to peak, then cosine decay to the floor at totalSteps. */
export function cosineSchedule(options: CosineScheduleOptions): (step: number) => number {
  const { peakLearningRate: peak, warmupSteps, totalSteps } = options;
  const floor = options.minLearningRate ?? peak / 10;
  return (step) => {
    if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
    if (step >= totalSteps) return floor;
    const progress = (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
    return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
  };
}
