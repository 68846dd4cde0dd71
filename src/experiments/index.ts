/** Every named experiment: add one import and one entry per reproduction. */
import { proxyBandit } from './proxy-bandit.js';
import type { Experiment } from './types.js';

export const experiments: readonly Experiment<unknown>[] = [proxyBandit];
