/** Worker thread for `measureIsolated`: measures one world and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { makeEnv } from '../suite/index.js';
import { type BenchConfig, measureThroughput } from './bench.js';

const config = workerData as BenchConfig;
const { env } = makeEnv(config.id, { level: config.level, variant: config.variant });
parentPort?.postMessage(measureThroughput(env, config.steps));
