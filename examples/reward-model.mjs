// Train a reward model on preference pairs in TRL's JSONL format (prompt / chosen / rejected)
// and measure it on requests it never saw. The tiny data set beside this file prefers polite
// replies to rude ones.
// Run: node examples/reward-model.mjs [file.jsonl]
import { readFileSync } from 'node:fs';
import {
  evaluateRewardModel,
  initBackend,
  parsePreferenceJsonl,
  trainingView,
  trainRewardModel,
} from 'alignlab';

const file = process.argv[2] ?? new URL('./data/polite-replies.jsonl', import.meta.url).pathname;
const { pairs } = parsePreferenceJsonl(readFileSync(file, 'utf8'), file);
const test = pairs.slice(-8);
const train = pairs.slice(0, -8);
await initBackend();
// A small model: the trunk is trained from scratch, so it is kept tiny to train in seconds.
const model = trainRewardModel(train.map(trainingView), {
  epochs: 8,
  batchSize: 8,
  width: 16,
  layers: 1,
  heads: 2,
});
const metrics = evaluateRewardModel(model, test);
console.log(
  JSON.stringify({ trainPairs: train.length, testPairs: test.length, testAccuracy: metrics.accuracy }),
);
model.dispose();
