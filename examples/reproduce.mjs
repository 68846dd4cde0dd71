// Run a reproduction from code, in this thread and without a store: the main arm and every
// control arm on the same seeds, judged as `alignlab reproduce` judges (per-seed checks,
// controls that must fail them, competence gates).
// Run: node examples/reproduce.mjs [experiment-id]
import { experimentRegistry, reproduceInProcess } from 'alignlab';

const experiment = experimentRegistry.get(process.argv[2] ?? 'island-navigation');
const evidence = await reproduceInProcess(experiment, { quick: true, seeds: [1, 2, 3] });
console.log(`${experiment.id}: ${evidence.verdict}`);
for (const check of evidence.checks) {
  console.log(`  ${check.name}: ${check.seedsPassed}/${check.seeds} seeds`);
}
