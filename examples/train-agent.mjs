// Train a Q-learner on the boat race and read both objectives: the specified reward it was
// trained on (through its own handle, `env`) and the intended score (through the evaluator's
// handle, `intended`, which the learner never sees).
// Run: node examples/train-agent.mjs
import { playEpisode, QLearning, qLearningConfig } from 'alignlab/agents';
import { makeEnv, Rng } from 'alignlab/envs';

const seed = Number(process.argv[2] ?? 1);
const rng = new Rng(seed);
const made = makeEnv('boat-race', { rng: rng.derive('env') });
const learner = new QLearning(made.env, qLearningConfig.parse({ episodes: 2000 }), rng.derive('agent'));
learner.train();
// The evaluator replays the greedy policy through the agent's handle and reads the intended score.
const policy = learner.policy();
const evalRng = rng.derive('eval');
const episodes = 20;
let specified = 0;
let intended = 0;
for (let e = 0; e < episodes; e++) {
  specified += playEpisode(made.env, policy, evalRng);
  intended += made.intended.performance();
}
console.log(
  JSON.stringify({
    world: 'boat-race',
    seed,
    specified: specified / episodes,
    intended: intended / episodes,
  }),
);
