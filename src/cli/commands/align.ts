/**
 * `alignlab rm train|eval`, `alignlab rlhf` and `alignlab dpo`: preference learning on the
 * tiny language models from the command line. Trainers read preference files through
 * `trainingView` (the evaluator-only truth never reaches them); `rm eval` reads the truth
 * to report agreement with it. Checkpoints are written atomically, every `--save-every` steps
 * and at the end, so Ctrl-C leaves the last one loadable.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { type DpoConfig, DpoConfigSchema, trainDpo } from '../../align/dpo.js';
import { type PpoConfig, PpoConfigSchema, trainPpo } from '../../align/ppo.js';
import {
  evaluateRewardModel,
  loadRewardModel,
  type RewardMetrics,
  type RewardTrainConfig,
  RewardTrainConfigSchema,
  saveRewardModel,
  trainRewardModel,
} from '../../align/reward-model.js';
import { UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type PreferencePair, pairText, trainingView } from '../../feedback/index.js';
import { stepProgress } from '../../lab/progress.js';
import {
  type Checkpoint,
  getCorpus,
  loadCheckpoint,
  saveCheckpoint,
  writeDirectoryAtomically,
} from '../../lm/index.js';
import { cloneTransformer, initBackend, type Transformer } from '../../nn/index.js';
import { parseInteger, parseNumber, parseSeed } from '../flags.js';
import { interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { claimOutputDir, writeOutputManifest } from '../out-path.js';
import { readPreferences } from '../preference-file.js';
import { addSchemaOptions, deprecatedAlias } from '../schema-options.js';
import { textTable } from '../text-table.js';

function readPairs(path: string): PreferencePair[] {
  return readPreferences(path).pairs;
}

/**
 * Every prompt must leave room for a completion token in the policy's context (the trainers
 * cut long completions but cannot cut a prompt): a UserInputError names the first that does not.
 */
function checkPromptsFit(policy: Checkpoint, prompts: readonly string[], where: (i: number) => string): void {
  const context = policy.model.config.contextLength;
  prompts.forEach((prompt, i) => {
    const tokens = policy.tokenizer.encode(prompt, { bos: true }).length;
    if (tokens >= context) {
      throw new UserInputError(
        `the prompt is ${tokens} tokens (with <bos>), leaving no room in the policy's context of ${context}`,
        where(i),
      );
    }
  });
}

function metricsTable(rows: [string, RewardMetrics][]): string {
  const fmt = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '—' : x.toFixed(3));
  return textTable(
    ['split', 'pairs', 'accuracy', 'margin', 'ece', 'disagreement', 'truth accuracy', 'label = truth'],
    rows.map(([name, m]) => [
      name,
      String(m.pairs),
      fmt(m.accuracy),
      fmt(m.margin),
      fmt(m.ece),
      fmt(m.disagreement),
      fmt(m.truthAccuracy),
      fmt(m.labelTruthAgreement),
    ]),
  );
}

/** Saves a policy checkpoint atomically, as a plain language model (a PPO value head is left out). */
function savePolicy(
  dir: string,
  policy: Transformer,
  base: Checkpoint,
  training: Record<string, unknown>,
  command: string,
): void {
  const plain =
    policy.config.scalarHeads.length === 0 ? policy : cloneTransformer(policy, { scalarHeads: [] });
  try {
    writeDirectoryAtomically(
      dir,
      (tmp) => {
        saveCheckpoint(tmp, {
          model: plain,
          tokenizer: base.tokenizer,
          config: { ...base.config, training },
        });
      },
      { command },
    );
  } finally {
    if (plain !== policy) plain.dispose();
  }
}

/** What `rlhf` and `dpo` share: flags for the policy, output, checkpoints, seed and --json. */
interface PolicyFlags {
  model: string;
  out: string;
  force?: boolean;
  saveEvery: string;
  seed: string;
  json?: boolean;
}

function policyOptions(command: Command, io: CliIo, what: string): Command {
  command
    .requiredOption('--model <dir>', 'the SFT language-model checkpoint to start from (the reference)')
    .requiredOption('--out <dir>', `folder for the ${what} policy checkpoint and metrics.jsonl`)
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--seed <n>', 'seed of the batches and sampling', '0')
    .option('--json', 'print the last metrics as JSON');
  deprecatedAlias(command, io, '--policy', '--model');
  return command;
}

interface PolicyTraining<R> {
  label: 'rlhf' | 'dpo';
  /** Iterations or steps, and what to call one in the summary. */
  steps: number;
  unit: string;
  flags: PolicyFlags;
  out: string;
  base: Checkpoint;
  training: Record<string, unknown>;
  /** The progress line's status for a step's metrics. */
  status(metrics: Record<string, number>): string;
  train(
    signal: AbortSignal,
    onStep: (p: {
      step: number;
      steps: number;
      metrics: Record<string, number>;
      policy: Transformer;
    }) => void,
  ): Promise<R>;
}

/**
 * Runs a policy trainer with a progress bar, writing metrics.jsonl and an atomic checkpoint
 * every `--save-every` steps and at the end (so Ctrl-C leaves the last one loadable), then
 * prints the last metrics and frees the models.
 */
async function trainPolicy<
  R extends { policy: Transformer; reference: Transformer; history: readonly Record<string, number>[] },
>(io: CliIo, job: PolicyTraining<R>): Promise<void> {
  const saveEvery = parseInteger(job.flags.saveEvery, '--save-every', 1, 1_000_000);
  const lines: string[] = [];
  const bar = stepProgress(io, job.label, job.steps);
  try {
    const result = await interruptible(
      io,
      `stopping after this ${job.unit}; the last checkpoint stays loadable`,
      (signal) =>
        job.train(signal, ({ step, steps, metrics, policy }) => {
          lines.push(`${JSON.stringify({ step, ...metrics })}\n`);
          bar.update(step, job.status(metrics));
          if (step % saveEvery === 0 || step === steps) {
            savePolicy(job.out, policy, job.base, { ...job.training, step }, job.label);
            writeFileSync(join(job.out, 'metrics.jsonl'), lines.join(''));
          }
        }),
    );
    bar.stop();
    const last = result.history[result.history.length - 1];
    if (job.flags.json) io.out(`${JSON.stringify({ out: job.flags.out, metrics: last })}\n`);
    else {
      io.out(
        textTable(
          ['metric', 'value'],
          Object.entries(last).map(([k, v]) => [k, v.toFixed(4)]),
        ),
      );
      io.out(`saved ${job.flags.out} (metrics.jsonl has every ${job.unit})\n`);
    }
    result.policy.dispose();
    result.reference.dispose();
  } finally {
    bar.stop();
  }
}

/** Prompts of the policy's training corpus (train split), or of a preference file. */
function promptsFor(policy: Checkpoint, path: string | undefined): string[] {
  if (path) {
    const parsed = readPreferences(path);
    const prompts = parsed.pairs.map((p) => pairText(p).prompt);
    checkPromptsFit(policy, prompts, (i) => `${parsed.file}:${parsed.lines[i]}`);
    return [...new Set(prompts)];
  }
  const corpus = policy.config.corpus;
  if (!corpus)
    throw new UserInputError(
      'the policy checkpoint names no corpus; pass --prompts <preference file>',
      '--model',
    );
  return getCorpus(corpus.name, corpus.seed, '--model')
    .split('train')
    .map((i) => i.prompt);
}

/** Help for the trainers' schema keys (the schemas hold types, ranges and defaults). */
const trainerHelp = {
  steps: 'update steps (PPO: iterations, each a batch of rollouts then the update epochs)',
  batchSize: 'rollouts (PPO) or pairs (DPO, reward model) per step',
  miniBatches: "minibatches per PPO epoch (TRL's num_mini_batches)",
  ppoEpochs: "update epochs per PPO iteration (TRL's num_ppo_epochs)",
  learningRate: { flag: '--lr', help: 'learning rate (Adam)' },
  maxGradNorm: 'clip the gradient to this global norm',
  weightDecay: 'decoupled weight decay (AdamW)',
  klCoef: "β of the per-token KL penalty to the reference (TRL's kl_coef)",
  klTarget: "adapt β toward this KL per sequence, in nats (Ziegler et al.'s controller)",
  klHorizon: "the adaptive KL controller's horizon",
  gamma: 'discount of the per-token rewards',
  lam: 'λ of generalized advantage estimation',
  cliprange: 'PPO clip range of the policy ratio',
  cliprangeValue: 'clip range of the value update',
  vfCoef: 'weight of the value loss',
  maxNewTokens: { help: 'completion length limit (new tokens)', deprecated: ['--max-tokens'] },
  temperature: 'sampling temperature of the rollouts',
  missingEosPenalty: "subtracted from the score of a completion without <eos> (TRL's missing_eos_penalty)",
  klEstimator: "per-token KL estimator of the penalty (TRL's kl_estimator)",
  whitenAdvantages: {
    flag: '--no-whiten-advantages',
    help: 'keep the advantages at the reward scale (TRL whitens them)',
  },
  valueHeadInit: "the value head's starting weights (zero: no noise in the first advantages)",
  valueWarmup: 'first iterations that fit the value head alone to their batch before the policy update',
  beta: 'β, the DPO temperature (TRL default 0.1)',
  lossType: { flag: '--loss', help: 'DPO loss' },
  labelSmoothing: 'ε, the share of labels assumed flipped (conservative / robust DPO)',
  epochs: 'passes over the pairs',
  centerRewardsCoefficient: { flag: '--center-coef', help: "TRL's center_rewards_coefficient (0 = off)" },
  useMargin: { flag: '--no-margin', help: "ignore the file's margin column" },
  ensemble: 'members; each sees a bootstrap resample of the pairs when more than one',
  seed: 'seed of the split, initialization and batches',
  answerLikelihood: "add the trunk's log-probability of the completion's first word to the head's score",
  width: 'embedding width of a fresh model (no --model)',
  layers: 'transformer blocks of a fresh model (no --model)',
  heads: 'attention heads of a fresh model (no --model)',
} as const;

export function registerAlignCommands(program: Command, io: CliIo): void {
  const rm = program.command('rm').description('reward models: Bradley–Terry on preference pairs');
  const rmTrain = rm
    .command('train')
    .description('train a reward model (or an ensemble) on a preference JSONL file')
    .requiredOption(
      '--data <file>',
      'preference pairs (TRL standard or conversational JSONL, or a folder holding preferences.jsonl)',
    )
    .requiredOption('--out <dir>', 'folder for the reward model')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option(
      '--model <dir>',
      'start from this language-model checkpoint (its trunk and tokenizer), as InstructGPT',
    )
    .option('--eval-fraction <x>', 'share of pairs held out for the metrics table', '0.1')
    .option('--json', 'print the metrics as JSON');
  deprecatedAlias(rmTrain, io, '--init', '--model');
  const rmConfig = addSchemaOptions(rmTrain, io, RewardTrainConfigSchema, trainerHelp);
  rmTrain.action(
    async (flags: {
      data: string;
      out: string;
      force?: boolean;
      model?: string;
      evalFraction: string;
      json?: boolean;
    }) => {
      const out = claimOutputDir(flags.out, 'rm train', { force: flags.force });
      const pairs = readPairs(flags.data);
      const config = rmConfig(flags) as RewardTrainConfig;
      const evalFraction = parseNumber(flags.evalFraction, '--eval-fraction', 0, 0.9);
      await initBackend();
      const init = flags.model ? loadCheckpoint(flags.model) : undefined;
      const order = new Rng(config.seed ?? 0).derive('split').shuffle(pairs.map((_, i) => i));
      const held = Math.floor(pairs.length * evalFraction);
      const heldOut = order.slice(0, held).map((i) => pairs[i]);
      const train = order.slice(held).map((i) => pairs[i]);
      let bar: ReturnType<typeof stepProgress> | undefined;
      const model = await interruptible(io, 'stopping; nothing is saved', async (signal) =>
        trainRewardModel(train.map(trainingView), config, {
          init,
          signal,
          onStep: (p) => {
            bar ??= stepProgress(io, 'rm', p.steps * (config.ensemble ?? 1));
            bar.update(p.member * p.steps + p.step, `member ${p.member + 1}  loss ${p.loss.toFixed(4)}`);
          },
        }),
      );
      bar?.stop();
      saveRewardModel(out, model, {
        ...config,
        data: flags.data,
        pairs: train.length,
        init: flags.model ?? null,
      });
      writeOutputManifest(out, 'rm train');
      const rows: [string, RewardMetrics][] = [['train', evaluateRewardModel(model, train)]];
      if (heldOut.length > 0) rows.push(['held out', evaluateRewardModel(model, heldOut)]);
      if (flags.json) io.out(`${JSON.stringify({ out: flags.out, ...Object.fromEntries(rows) })}\n`);
      else {
        io.out(metricsTable(rows));
        io.out(`saved ${flags.out}\n`);
      }
      model.dispose();
      init?.model.dispose();
    },
  );

  rm.command('eval')
    .description(
      'accuracy, margin and calibration of a reward model on a preference file (and agreement with its truth, if present)',
    )
    .requiredOption('--model <dir>', 'a reward model from `alignlab rm train`')
    .requiredOption('--data <file>', 'preference pairs (or a folder holding preferences.jsonl)')
    .option('--json', 'print the metrics as JSON')
    .action(async (flags: { model: string; data: string; json?: boolean }) => {
      const pairs = readPairs(flags.data);
      await initBackend();
      const model = loadRewardModel(flags.model);
      const metrics = evaluateRewardModel(model, pairs);
      model.dispose();
      io.out(flags.json ? `${JSON.stringify(metrics)}\n` : metricsTable([[flags.data, metrics]]));
    });

  const rlhf = policyOptions(
    program
      .command('rlhf')
      .description(
        'RLHF: PPO on a language-model checkpoint against a reward model, with a KL penalty to the start',
      )
      .requiredOption('--reward <dir>', 'a reward model from `alignlab rm train`')
      .option('--prompts <file>', 'take prompts from this preference file instead of the corpus')
      .option('--save-every <n>', 'checkpoint every n iterations', '25'),
    io,
    'RLHF',
  );
  const ppoConfig = addSchemaOptions(rlhf, io, PpoConfigSchema, trainerHelp);
  rlhf.action(async (flags: PolicyFlags & { reward: string; prompts?: string }) => {
    const out = claimOutputDir(flags.out, 'rlhf', { force: flags.force });
    const config = ppoConfig(flags) as PpoConfig;
    const seed = parseSeed(flags.seed);
    await initBackend();
    const base = loadCheckpoint(flags.model);
    let reward: ReturnType<typeof loadRewardModel> | undefined;
    try {
      reward = loadRewardModel(flags.reward);
      const scorer = reward;
      const prompts = promptsFor(base, flags.prompts);
      await trainPolicy(io, {
        label: 'rlhf',
        steps: PpoConfigSchema.parse(config).steps,
        unit: 'iteration',
        flags,
        out,
        base,
        training: { ...config, reward: flags.reward, seed, method: 'ppo' },
        status: (m) => `score ${m['objective/scores'].toFixed(3)}  kl ${m['objective/kl'].toFixed(3)}`,
        train: (signal, onStep) =>
          trainPpo({
            policy: base.model,
            tokenizer: base.tokenizer,
            prompts,
            reward: scorer,
            config,
            rng: new Rng(seed),
            signal,
            onStep: (p) => onStep({ ...p, metrics: { ...p.metrics } }),
          }),
      });
    } finally {
      reward?.dispose();
      base.model.dispose();
    }
  });

  const dpo = policyOptions(
    program
      .command('dpo')
      .description('DPO: train a language-model checkpoint directly on preference pairs')
      .requiredOption('--data <file>', 'preference pairs (TRL JSONL, or a folder holding preferences.jsonl)')
      .option('--save-every <n>', 'checkpoint every n steps', '50'),
    io,
    'DPO',
  );
  const dpoConfig = addSchemaOptions(dpo, io, DpoConfigSchema, trainerHelp);
  dpo.action(async (flags: PolicyFlags & { data: string }) => {
    const out = claimOutputDir(flags.out, 'dpo', { force: flags.force });
    const config = dpoConfig(flags) as DpoConfig;
    const seed = parseSeed(flags.seed);
    const parsed = readPreferences(flags.data);
    const pairs = parsed.pairs.map(trainingView);
    await initBackend();
    const base = loadCheckpoint(flags.model);
    try {
      checkPromptsFit(
        base,
        pairs.map((p) => pairText(p).prompt),
        (i) => `${parsed.file}:${parsed.lines[i]}`,
      );
      await trainPolicy(io, {
        label: 'dpo',
        steps: DpoConfigSchema.parse(config).steps,
        unit: 'step',
        flags,
        out,
        base,
        training: { ...config, data: flags.data, seed, method: 'dpo' },
        status: (m) => `loss ${m.loss.toFixed(4)}  acc ${m['rewards/accuracies'].toFixed(3)}`,
        train: (signal, onStep) =>
          trainDpo({
            policy: base.model,
            tokenizer: base.tokenizer,
            pairs,
            config,
            rng: new Rng(seed),
            signal,
            onStep: (p) => onStep({ ...p, metrics: { ...p.metrics } }),
          }),
      });
    } finally {
      base.model.dispose();
    }
  });
}
