/**
 * `alignlab rm train|eval`, `alignlab rlhf` and `alignlab dpo`: preference learning on the
 * tiny language models from the command line. Trainers read preference files through
 * `trainingView` (the evaluator-only truth never reaches them); `rm eval` reads the truth
 * to report agreement with it. Checkpoints are written atomically, every `--save-every` steps
 * and at the end, so Ctrl-C leaves the last one loadable.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type DpoConfig, trainDpo } from '../../align/dpo.js';
import { dpoLossTypes } from '../../align/losses.js';
import { type PpoConfig, trainPpo } from '../../align/ppo.js';
import {
  evaluateRewardModel,
  loadRewardModel,
  type RewardMetrics,
  type RewardTrainConfig,
  saveRewardModel,
  trainRewardModel,
} from '../../align/reward-model.js';
import { choicesHint, UserInputError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import { type PreferencePair, pairText, parsePreferenceJsonl, trainingView } from '../../feedback/index.js';
import {
  type Checkpoint,
  getCorpus,
  loadCheckpoint,
  saveCheckpoint,
  writeDirectoryAtomically,
} from '../../lm/index.js';
import { cloneTransformer, initBackend, type Transformer } from '../../nn/index.js';
import { parseInteger, parseNumber, readText } from '../flags.js';
import { interruptible } from '../interrupt.js';
import type { CliIo } from '../io.js';
import { claimOutputDir, writeOutputManifest } from '../out-path.js';
import { textTable } from '../text-table.js';

function readPairs(file: string): PreferencePair[] {
  return parsePreferenceJsonl(readText(file), file).pairs;
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

/** A live bar on a terminal; otherwise about twenty plain lines. */
function progressBar(io: CliIo, label: string, total: number) {
  if (!io.isTTY) {
    const every = Math.max(1, Math.round(total / 20));
    return {
      update: (done: number, status: string) => {
        if (done % every === 0 || done === total) io.err(`${label} ${done}/${total}  ${status}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: `${label} [{bar}] {value}/{total}  {status}`, hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { status: '' });
  return { update: (done: number, status: string) => bar.update(done, { status }), stop: () => bar.stop() };
}

const seedFlag = (text: string) => parseInteger(text, '--seed', 0, 2 ** 31 - 1);

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

/** Prints a trainer's last metrics and where it saved, then frees the trained and reference models. */
function reportTrainedPolicy(
  io: CliIo,
  result: { policy: Transformer; reference: Transformer; history: readonly Record<string, number>[] },
  out: string,
  unit: string,
): void {
  const last = result.history[result.history.length - 1];
  io.out(
    textTable(
      ['metric', 'value'],
      Object.entries(last).map(([k, v]) => [k, v.toFixed(4)]),
    ),
  );
  io.out(`saved ${out} (metrics.jsonl has every ${unit})\n`);
  result.policy.dispose();
  result.reference.dispose();
}

/** Prompts of the policy's training corpus (train split), or of a preference file. */
function promptsFor(policy: Checkpoint, file: string | undefined): string[] {
  if (file) {
    const parsed = parsePreferenceJsonl(readText(file), file);
    const prompts = parsed.pairs.map((p) => pairText(p).prompt);
    checkPromptsFit(policy, prompts, (i) => `${file}:${parsed.lines[i]}`);
    return [...new Set(prompts)];
  }
  const corpus = policy.config.corpus;
  if (!corpus)
    throw new UserInputError(
      'the policy checkpoint names no corpus; pass --prompts <preference file>',
      '--policy',
    );
  return getCorpus(corpus.name, corpus.seed, '--policy')
    .split('train')
    .map((i) => i.prompt);
}

export function registerAlignCommands(program: Command, io: CliIo): void {
  const rm = program.command('rm').description('reward models: Bradley–Terry on preference pairs');
  rm.command('train')
    .description('train a reward model (or an ensemble) on a preference JSONL file')
    .requiredOption('--data <file>', 'preference pairs (TRL standard or conversational JSONL)')
    .requiredOption('--out <dir>', 'where to save the reward model')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option(
      '--init <dir>',
      'start from this language-model checkpoint (its trunk and tokenizer), as InstructGPT',
    )
    .option('--ensemble <k>', 'members (bootstrap resamples)', '1')
    .option('--epochs <n>', 'passes over the pairs', '3')
    .option('--batch-size <n>', 'pairs per step', '32')
    .option('--lr <x>', 'learning rate', '0.0005')
    .option('--center-coef <x>', "TRL's center_rewards_coefficient", '0')
    .option('--no-margin', "ignore the file's margin column")
    .option('--eval-fraction <x>', 'share of pairs held out for the metrics table', '0.1')
    .option('--seed <n>', 'seed', '0')
    .action(
      async (flags: {
        data: string;
        out: string;
        force?: boolean;
        init?: string;
        ensemble: string;
        epochs: string;
        batchSize: string;
        lr: string;
        centerCoef: string;
        margin: boolean;
        evalFraction: string;
        seed: string;
      }) => {
        const out = claimOutputDir(flags.out, 'rm train', { force: flags.force });
        const pairs = readPairs(flags.data);
        const config: RewardTrainConfig = {
          ensemble: parseInteger(flags.ensemble, '--ensemble', 1, 16),
          epochs: parseInteger(flags.epochs, '--epochs', 1, 1000),
          batchSize: parseInteger(flags.batchSize, '--batch-size', 1, 4096),
          learningRate: parseNumber(flags.lr, '--lr', 1e-7, 1),
          centerRewardsCoefficient: parseNumber(flags.centerCoef, '--center-coef', 0, 100),
          useMargin: flags.margin,
          seed: seedFlag(flags.seed),
        };
        const evalFraction = parseNumber(flags.evalFraction, '--eval-fraction', 0, 0.9);
        await initBackend();
        const init = flags.init ? loadCheckpoint(flags.init) : undefined;
        const order = new Rng(config.seed ?? 0).derive('split').shuffle(pairs.map((_, i) => i));
        const held = Math.floor(pairs.length * evalFraction);
        const heldOut = order.slice(0, held).map((i) => pairs[i]);
        const train = order.slice(held).map((i) => pairs[i]);
        let bar: ReturnType<typeof progressBar> | undefined;
        const model = await interruptible(io, 'stopping; nothing is saved', async (signal) =>
          trainRewardModel(train.map(trainingView), config, {
            init,
            signal,
            onStep: (p) => {
              bar ??= progressBar(io, 'rm', p.steps * (config.ensemble ?? 1));
              bar.update(p.member * p.steps + p.step, `member ${p.member + 1}  loss ${p.loss.toFixed(4)}`);
            },
          }),
        );
        bar?.stop();
        saveRewardModel(out, model, {
          ...config,
          data: flags.data,
          pairs: train.length,
          init: flags.init ?? null,
        });
        writeOutputManifest(out, 'rm train');
        const rows: [string, RewardMetrics][] = [['train', evaluateRewardModel(model, train)]];
        if (heldOut.length > 0) rows.push(['held out', evaluateRewardModel(model, heldOut)]);
        io.out(metricsTable(rows));
        io.out(`saved ${flags.out}\n`);
        model.dispose();
        init?.model.dispose();
      },
    );

  rm.command('eval')
    .description(
      'accuracy, margin and calibration of a reward model on a preference file (and agreement with its truth, if present)',
    )
    .requiredOption('--model <dir>', 'a reward model from `alignlab rm train`')
    .requiredOption('--data <file>', 'preference pairs')
    .option('--json', 'print the metrics as JSON')
    .action(async (flags: { model: string; data: string; json?: boolean }) => {
      const pairs = readPairs(flags.data);
      await initBackend();
      const model = loadRewardModel(flags.model);
      const metrics = evaluateRewardModel(model, pairs);
      model.dispose();
      io.out(flags.json ? `${JSON.stringify(metrics)}\n` : metricsTable([[flags.data, metrics]]));
    });

  program
    .command('rlhf')
    .description(
      'RLHF: PPO on a language-model checkpoint against a reward model, with a KL penalty to the start',
    )
    .requiredOption('--policy <dir>', 'the SFT language-model checkpoint (the reference)')
    .requiredOption('--reward <dir>', 'a reward model from `alignlab rm train`')
    .requiredOption('--out <dir>', 'where to save the RLHF policy and metrics.jsonl')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--steps <n>', 'PPO iterations', '100')
    .option('--batch-size <n>', 'rollouts per iteration', '64')
    .option('--kl-coef <x>', 'β of the per-token KL penalty (TRL default)', '0.05')
    .option('--kl-target <x>', 'adapt β toward this sequence KL (nats)')
    .option('--lr <x>', 'learning rate', '0.0001')
    .option('--max-new-tokens <n>', 'completion length limit', '10')
    .option('--prompts <file>', 'take prompts from this preference file instead of the corpus')
    .option('--save-every <n>', 'checkpoint every n iterations', '25')
    .option('--seed <n>', 'seed', '0')
    .action(
      async (flags: {
        policy: string;
        reward: string;
        out: string;
        force?: boolean;
        steps: string;
        batchSize: string;
        klCoef: string;
        klTarget?: string;
        lr: string;
        maxNewTokens: string;
        prompts?: string;
        saveEvery: string;
        seed: string;
      }) => {
        const out = claimOutputDir(flags.out, 'rlhf', { force: flags.force });
        const config: PpoConfig = {
          steps: parseInteger(flags.steps, '--steps', 1, 1_000_000),
          batchSize: parseInteger(flags.batchSize, '--batch-size', 2, 4096),
          klCoef: parseNumber(flags.klCoef, '--kl-coef', 0, 100),
          klTarget:
            flags.klTarget === undefined ? undefined : parseNumber(flags.klTarget, '--kl-target', 1e-6, 1e6),
          learningRate: parseNumber(flags.lr, '--lr', 1e-8, 1),
          maxNewTokens: parseInteger(flags.maxNewTokens, '--max-new-tokens', 1, 1024),
        };
        const saveEvery = parseInteger(flags.saveEvery, '--save-every', 1, 1_000_000);
        const seed = seedFlag(flags.seed);
        await initBackend();
        const base = loadCheckpoint(flags.policy);
        const reward = loadRewardModel(flags.reward);
        const prompts = promptsFor(base, flags.prompts);
        const lines: string[] = [];
        const bar = progressBar(io, 'rlhf', config.steps as number);
        const training = { ...config, reward: flags.reward, seed, method: 'ppo' };
        const flush = () => writeFileSync(join(out, 'metrics.jsonl'), lines.join(''));
        try {
          const result = await interruptible(
            io,
            'stopping after this iteration; the last checkpoint stays loadable',
            (signal) =>
              trainPpo({
                policy: base.model,
                tokenizer: base.tokenizer,
                prompts,
                reward,
                config,
                rng: new Rng(seed),
                signal,
                onStep: ({ step, steps, metrics, policy }) => {
                  lines.push(`${JSON.stringify({ step, ...metrics })}\n`);
                  bar.update(
                    step,
                    `score ${metrics['objective/scores'].toFixed(3)}  kl ${metrics['objective/kl'].toFixed(3)}`,
                  );
                  if (step % saveEvery === 0 || step === steps) {
                    savePolicy(out, policy, base, { ...training, step }, 'rlhf');
                    flush();
                  }
                },
              }),
          );
          bar.stop();
          reportTrainedPolicy(io, result, flags.out, 'iteration');
        } finally {
          bar.stop();
          reward.dispose();
          base.model.dispose();
        }
      },
    );

  program
    .command('dpo')
    .description('DPO: train a language-model checkpoint directly on preference pairs')
    .requiredOption('--policy <dir>', 'the SFT language-model checkpoint (the reference)')
    .requiredOption('--data <file>', 'preference pairs (TRL JSONL)')
    .requiredOption('--out <dir>', 'where to save the DPO policy and metrics.jsonl')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--beta <x>', 'β (TRL default 0.1)', '0.1')
    .option('--loss <type>', `loss (${dpoLossTypes.join(', ')})`, 'sigmoid')
    .option('--label-smoothing <x>', 'ε for conservative/robust DPO', '0')
    .option('--steps <n>', 'update steps', '200')
    .option('--batch-size <n>', 'pairs per step', '32')
    .option('--lr <x>', 'learning rate', '0.0001')
    .option('--save-every <n>', 'checkpoint every n steps', '50')
    .option('--seed <n>', 'seed', '0')
    .action(
      async (flags: {
        policy: string;
        data: string;
        out: string;
        force?: boolean;
        beta: string;
        loss: string;
        labelSmoothing: string;
        steps: string;
        batchSize: string;
        lr: string;
        saveEvery: string;
        seed: string;
      }) => {
        const out = claimOutputDir(flags.out, 'dpo', { force: flags.force });
        if (!(dpoLossTypes as readonly string[]).includes(flags.loss))
          throw new UserInputError(`unknown loss '${flags.loss}' (${choicesHint(dpoLossTypes)})`, '--loss');
        const config: DpoConfig = {
          beta: parseNumber(flags.beta, '--beta', 1e-6, 1e6),
          lossType: flags.loss as DpoConfig['lossType'],
          labelSmoothing: parseNumber(flags.labelSmoothing, '--label-smoothing', 0, 0.49),
          steps: parseInteger(flags.steps, '--steps', 1, 1_000_000),
          batchSize: parseInteger(flags.batchSize, '--batch-size', 1, 4096),
          learningRate: parseNumber(flags.lr, '--lr', 1e-8, 1),
        };
        const saveEvery = parseInteger(flags.saveEvery, '--save-every', 1, 1_000_000);
        const seed = seedFlag(flags.seed);
        const parsed = parsePreferenceJsonl(readText(flags.data), flags.data);
        const pairs = parsed.pairs.map(trainingView);
        await initBackend();
        const base = loadCheckpoint(flags.policy);
        try {
          checkPromptsFit(
            base,
            pairs.map((p) => pairText(p).prompt),
            (i) => `${flags.data}:${parsed.lines[i]}`,
          );
        } catch (error) {
          base.model.dispose();
          throw error;
        }
        const lines: string[] = [];
        const bar = progressBar(io, 'dpo', config.steps as number);
        const training = { ...config, data: flags.data, seed, method: 'dpo' };
        try {
          const result = await interruptible(
            io,
            'stopping after this step; the last checkpoint stays loadable',
            (signal) =>
              trainDpo({
                policy: base.model,
                tokenizer: base.tokenizer,
                pairs,
                config,
                rng: new Rng(seed),
                signal,
                onStep: ({ step, steps, metrics, policy }) => {
                  lines.push(`${JSON.stringify({ step, ...metrics })}\n`);
                  bar.update(
                    step,
                    `loss ${metrics.loss.toFixed(4)}  acc ${metrics['rewards/accuracies'].toFixed(3)}`,
                  );
                  if (step % saveEvery === 0 || step === steps) {
                    savePolicy(out, policy, base, { ...training, step }, 'dpo');
                    writeFileSync(join(out, 'metrics.jsonl'), lines.join(''));
                  }
                },
              }),
          );
          bar.stop();
          reportTrainedPolicy(io, result, flags.out, 'step');
        } finally {
          bar.stop();
          base.model.dispose();
        }
      },
    );
}
