/** Worker thread for `measureQLearningIsolated`: measures one world and posts the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { type AgentBenchConfig, measureQLearning } from './bench.js';

parentPort?.postMessage(measureQLearning(workerData as AgentBenchConfig));
