// Compose wrappers around a world and train on the result: a Q-learner that sees only the
// 5 × 5 cells around it (egocentricCrop) and has 30 steps per episode (timeLimit) on island
// navigation; then four copies stepped together at random (vectorEnv).
// Run: node examples/wrappers.mjs
import { playEpisode, QLearning, qLearningConfig } from 'alignlab/agents';
import { egocentricCrop, makeEnv, Rng, timeLimit, vectorEnv } from 'alignlab/envs';

const rng = new Rng(1);
const made = makeEnv('island-navigation', { rng: rng.derive('env') });
const env = egocentricCrop(timeLimit(made.env, 30), 2);
const learner = new QLearning(env, qLearningConfig.parse({ episodes: 1000 }), rng.derive('agent'));
learner.train();
// The evaluator replays the greedy policy on the wrapped env and reads the world's own score.
const specified = playEpisode(env, learner.policy(), rng.derive('eval'), 0);
const intended = made.intended.performance();

// Four copies of the world, each with its own evaluator handle, stepped for 200 random steps.
const copies = Array.from({ length: 4 }, (_, i) =>
  makeEnv('island-navigation', { rng: rng.derive(`copy-${i}`) }),
);
const vec = vectorEnv(4, (i) => copies[i].env);
vec.reset({ seed: 10 });
const act = rng.derive('random');
let episodesEnded = 0;
for (let t = 0; t < 200; t++) {
  const step = vec.step(Array.from({ length: 4 }, () => act.int(4)));
  for (let i = 0; i < 4; i++) episodesEnded += step.terminated[i] | step.truncated[i];
}

console.log(
  JSON.stringify({
    world: 'island-navigation',
    view: `${env.observationSpace.rows}x${env.observationSpace.cols}`,
    specified,
    intended,
    vectorSteps: 200 * 4,
    episodesEnded,
  }),
);
