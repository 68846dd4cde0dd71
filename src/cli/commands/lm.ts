/** `alignlab lm train|sample|eval|corpus` and `alignlab serve`: tiny language models from the command line. */
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { choicesHint, UserInputError } from '../../core/errors.js';
import {
  baseModelKey,
  baseModelRecipe,
  buildArithmeticBaseModel,
  cacheRoot,
  clearCache,
  listCache,
  loadArithmeticBaseModel,
  saveBaseModel,
} from '../../lm/base-model.js';
import {
  type Corpus,
  corpusNames,
  createLmServer,
  type EvalReport,
  evaluateOnCorpus,
  getCorpus,
  isLoopback,
  type LanguageModel,
  type LmTrainConfig,
  loadLocalModel,
  OpenAIBackend,
  saveCheckpoint,
  type TokenizerKind,
  type TrainProgress,
  tokenizerKinds,
  trainLanguageModel,
  writeDirectoryAtomically,
} from '../../lm/index.js';
import { activeBackend, initBackend } from '../../nn/index.js';
import { parseInteger, parseNumber } from '../flags.js';
import type { CliIo } from '../io.js';
import { claimOutputDir } from '../out-path.js';

function oneOf<T extends string>(text: string, choices: readonly T[], flag: string): T {
  if (!(choices as readonly string[]).includes(text)) {
    throw new UserInputError(`unknown value '${text}' (${choicesHint(choices)})`, flag);
  }
  return text as T;
}

/** A live bar on a terminal; otherwise about twenty plain lines per run. */
function trainingProgress(io: CliIo, steps: number): { update(p: TrainProgress): void; stop(): void } {
  const describe = (p: TrainProgress) =>
    `loss ${p.loss.toFixed(4)}  ${Math.round(p.tokensPerSecond)} tokens/s`;
  if (!io.isTTY) {
    const every = Math.max(1, Math.round(steps / 20));
    return {
      update: (p) => {
        if (p.step % every === 0 || p.step === p.steps) io.err(`step ${p.step}/${p.steps}  ${describe(p)}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    { format: 'train [{bar}] {value}/{total}  {status}', hideCursor: true, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  bar.start(steps, 0, { status: '' });
  return { update: (p) => bar.update(p.step, { status: describe(p) }), stop: () => bar.stop() };
}

function formatReport(r: EvalReport): string {
  const pct = (x: number) => (Number.isNaN(x) ? '—' : `${(100 * x).toFixed(1)}%`);
  const lines = [`corpus ${r.corpus}: ${r.items} held-out items`, `exact match      ${pct(r.exactMatch)}`];
  if (r.answerAccuracy !== undefined) lines.push(`answer accuracy  ${pct(r.answerAccuracy)}`);
  if (r.calibration) {
    lines.push('confidence  stated  said  accuracy');
    for (const b of r.calibration) {
      lines.push(
        `${b.word.padEnd(10)}  ${b.stated.toFixed(2).padStart(6)}  ${String(b.count).padStart(4)}  ${pct(b.accuracy).padStart(8)}`,
      );
    }
    lines.push(`ECE ${(r.ece ?? Number.NaN).toFixed(3)}`);
  }
  if (r.labelRates) {
    const rates = Object.entries(r.labelRates).map(([k, v]) => `${k} ${pct(v)}`);
    lines.push(`known response   ${pct(r.knownResponse ?? Number.NaN)}; among them ${rates.join(', ')}`);
  }
  if (r.meanLexiconScore !== undefined) {
    lines.push(
      `mean lexicon score ${r.meanLexiconScore.toFixed(2)}, positive ${pct(r.positiveFraction ?? Number.NaN)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

async function modelWithCorpus(
  dir: string,
): Promise<{ loaded: Awaited<ReturnType<typeof loadLocalModel>>; corpus: Corpus }> {
  const loaded = await loadLocalModel(dir);
  const corpus = loaded.corpus;
  if (!corpus)
    throw new UserInputError('the checkpoint names no corpus to evaluate on', `${dir}/config.json`);
  return { loaded, corpus };
}

export function registerLmCommands(program: Command, io: CliIo): void {
  const lm = program.command('lm').description('tiny language models on synthetic corpora with known truth');

  lm.command('train')
    .description(
      'train a transformer on a corpus and save a checkpoint (safetensors + config.json + tokenizer.json)',
    )
    .requiredOption('--out <dir>', 'checkpoint directory to write')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--corpus <name>', `training corpus (${corpusNames.join(', ')})`, 'arithmetic')
    .option('--steps <n>', 'optimizer steps', '3000')
    .option('--batch-size <n>', 'sequences per step', '64')
    .option('--lr <x>', 'peak learning rate (warmup + cosine decay)', '0.003')
    .option('--layers <n>', 'transformer blocks', '2')
    .option('--heads <n>', 'attention heads', '4')
    .option('--width <n>', 'embedding width', '64')
    .option('--tokenizer <kind>', `tokenizer (${tokenizerKinds.join(', ')})`, 'char')
    .option('--seed <n>', 'seed of corpus split, initialization and batches', '0')
    .action(
      async (flags: {
        out: string;
        force?: boolean;
        corpus: string;
        steps: string;
        batchSize: string;
        lr: string;
        layers: string;
        heads: string;
        width: string;
        tokenizer: string;
        seed: string;
      }) => {
        const out = claimOutputDir(flags.out, 'lm train', { force: flags.force });
        const config: LmTrainConfig = {
          corpus: oneOf(flags.corpus, corpusNames, '--corpus'),
          steps: parseInteger(flags.steps, '--steps', 1, 10_000_000),
          batchSize: parseInteger(flags.batchSize, '--batch-size', 1, 4096),
          learningRate: parseNumber(flags.lr, '--lr', 1e-6, 1),
          layers: parseInteger(flags.layers, '--layers', 1, 48),
          heads: parseInteger(flags.heads, '--heads', 1, 64),
          width: parseInteger(flags.width, '--width', 4, 4096),
          tokenizer: oneOf<TokenizerKind>(flags.tokenizer, tokenizerKinds, '--tokenizer'),
          seed: parseInteger(flags.seed, '--seed', 0, 2 ** 31 - 1),
        };
        if ((config.width as number) % (config.heads as number) !== 0) {
          throw new UserInputError(
            `width ${config.width} is not a multiple of heads ${config.heads}`,
            '--width',
          );
        }
        const backend = await initBackend();
        io.err(`backend ${backend.description}\n`);
        const progress = trainingProgress(io, config.steps as number);
        const trained = trainLanguageModel(config, (p) => progress.update(p));
        progress.stop();
        const checkpoint = {
          model: trained.model,
          tokenizer: trained.tokenizer,
          config: {
            format: 'alignlab-lm' as const,
            version: 1 as const,
            model: trained.model.config,
            corpus: { name: trained.config.corpus, seed: trained.config.seed },
            training: {
              ...trained.config,
              finalLoss: trained.finalLoss,
              seconds: trained.seconds,
              backend: backend.path,
            },
          },
        };
        writeDirectoryAtomically(out, (tmp) => saveCheckpoint(tmp, checkpoint), { command: 'lm train' });
        io.out(
          `trained ${trained.model.parameterCount()} parameters on ${trained.config.corpus} for ${trained.config.steps} steps ` +
            `in ${(trained.seconds / 60).toFixed(1)} min (final loss ${trained.finalLoss.toFixed(4)}); saved ${flags.out}\n`,
        );
        trained.model.dispose();
      },
    );

  lm.command('sample [dir]')
    .description(
      'complete prompts with a trained checkpoint, or with an OpenAI-compatible endpoint when no dir is given ' +
        '(--base-url/--model/--api-key or OPENAI_BASE_URL/ALIGNLAB_MODEL/OPENAI_API_KEY)',
    )
    .requiredOption('--prompt <text...>', 'one or more prompts')
    .option('--max-tokens <n>', 'most new tokens', '32')
    .option('--temperature <x>', '0 = greedy', '0')
    .option('--top-k <n>', 'sample among the k likeliest tokens (0 = all)', '0')
    .option('--seed <n>', 'sampling seed', '0')
    .option('--base-url <url>', 'OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1')
    .option('--model <name>', 'model name at that endpoint')
    .option('--api-key <key>', 'API key (default: OPENAI_API_KEY)')
    .option('--api <kind>', 'completions or chat', 'completions')
    .action(
      async (
        dir: string | undefined,
        flags: {
          prompt: string[];
          maxTokens: string;
          temperature: string;
          topK: string;
          seed: string;
          baseUrl?: string;
          model?: string;
          apiKey?: string;
          api: string;
        },
      ) => {
        const options = {
          maxTokens: parseInteger(flags.maxTokens, '--max-tokens', 0, 100_000),
          temperature: parseNumber(flags.temperature, '--temperature', 0, 100),
          topK: parseInteger(flags.topK, '--top-k', 0, 1_000_000),
          seed: parseInteger(flags.seed, '--seed', 0, 2 ** 31 - 1),
        };
        let model: LanguageModel;
        let stop: readonly string[] | undefined;
        if (dir === undefined) {
          model = new OpenAIBackend({
            baseURL: flags.baseUrl,
            model: flags.model,
            apiKey: flags.apiKey,
            api: oneOf(flags.api, ['completions', 'chat'] as const, '--api'),
          });
        } else {
          const loaded = await loadLocalModel(dir);
          model = loaded.lm;
          stop = loaded.corpus?.stop;
        }
        const outputs = await model.generate(flags.prompt, { ...options, stop });
        for (const [i, p] of flags.prompt.entries()) io.out(`${p}${outputs[i]}\n`);
      },
    );

  lm.command('eval <dir>')
    .description(
      'exact-match accuracy (and, for arithmetic, calibration of the confidence word) on held-out items',
    )
    .option('--limit <n>', 'evaluate only the first n held-out items')
    .option('--json', 'print JSON')
    .action(async (dir: string, flags: { limit?: string; json?: boolean }) => {
      const { loaded, corpus } = await modelWithCorpus(dir);
      const limit =
        flags.limit === undefined ? undefined : parseInteger(flags.limit, '--limit', 1, 10_000_000);
      const report = await evaluateOnCorpus(loaded.lm, corpus, { limit });
      io.out(flags.json ? `${JSON.stringify(report)}\n` : formatReport(report));
    });

  lm.command('cache')
    .description(
      'show the model cache ($ALIGNLAB_CACHE, else $XDG_CACHE_HOME/alignlab, else ~/.cache/alignlab) and its entries',
    )
    .option('--clear', 'remove every cached model (the next run seeds the cache again from models/)')
    .action((flags: { clear?: boolean }) => {
      const root = cacheRoot();
      if (flags.clear) {
        const removed = clearCache(root);
        io.out(`cleared ${removed} cached model(s) from ${root}\n`);
        return;
      }
      const entries = listCache(root);
      io.out(`cache ${root}\n`);
      if (entries.length === 0) io.out('(empty: the base model is copied in from models/ on first use)\n');
      for (const e of entries)
        io.out(`${e.name}  ${(e.bytes / 1024).toFixed(0)} KiB${e.current ? '  (current base model)' : ''}\n`);
    });

  lm.command('base')
    .description(
      'the competent arithmetic base model every text reproduction starts from: where it is and what it measured',
    )
    .option(
      '--rebuild <dir>',
      'train it from scratch (both SFT passes) into <dir> instead, e.g. models/arithmetic-base',
    )
    .action(async (flags: { rebuild?: string }) => {
      const backend = await initBackend();
      if (flags.rebuild !== undefined) {
        const out = claimOutputDir(flags.rebuild, 'lm base', { force: true });
        io.err(`backend ${backend.description}\n`);
        const built = buildArithmeticBaseModel(baseModelRecipe, (line) => io.err(`${line}\n`));
        writeDirectoryAtomically(out, (tmp) => saveBaseModel(tmp, built, baseModelKey()), {
          command: 'lm base',
        });
        io.out(
          `${JSON.stringify({ dir: flags.rebuild, key: baseModelKey(), confidence: built.confidence, stats: built.stats })}\n`,
        );
        built.model.dispose();
        return;
      }
      const base = await loadArithmeticBaseModel({ onProgress: (line) => io.err(`${line}\n`) });
      io.out(
        `${JSON.stringify({ dir: base.dir, key: base.key, confidence: base.confidence, stats: base.stats })}\n`,
      );
    });

  lm.command('corpus <name>')
    .description('print items of a synthetic corpus as JSON lines, ground truth included')
    .option('--split <which>', 'train or test', 'train')
    .option('--limit <n>', 'how many items', '10')
    .option('--seed <n>', 'corpus seed', '0')
    .action((name: string, flags: { split: string; limit: string; seed: string }) => {
      const corpus = getCorpus(name, parseInteger(flags.seed, '--seed', 0, 2 ** 31 - 1), 'corpus');
      const split = oneOf(flags.split, ['train', 'test'] as const, '--split');
      for (const item of corpus.split(split).slice(0, parseInteger(flags.limit, '--limit', 0, 10_000_000))) {
        io.out(`${JSON.stringify(item)}\n`);
      }
    });

  program
    .command('serve <checkpoint>')
    .description(
      'serve a checkpoint as an OpenAI-compatible API (/v1/models, /v1/completions, /v1/chat/completions, ' +
        'stream: true); loopback only unless --host says otherwise',
    )
    .option('--host <host>', 'address to listen on (0.0.0.0 = every interface: set --api-key)', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free one)', '8000')
    .option('--api-key <key>', 'require Authorization: Bearer <key> (default: $ALIGNLAB_API_KEY, else none)')
    .option('--model-alias <name...>', "more model names this model answers to ('*' = any)")
    .option('--max-tokens-cap <n>', "largest max_tokens a request may ask (default: the model's context)")
    .option('--max-choices <n>', 'largest prompts x n in one request', '64')
    .option('--concurrency <n>', 'requests generating at once (they take turns token by token)', '4')
    .option('--queue <n>', 'requests waiting beyond those; more get 429 + Retry-After', '32')
    .option('--drain-seconds <x>', 'on SIGTERM/SIGINT, how long in-flight requests may finish', '3')
    .action(
      async (
        checkpoint: string,
        flags: {
          host: string;
          port: string;
          apiKey?: string;
          modelAlias?: string[];
          maxTokensCap?: string;
          maxChoices: string;
          concurrency: string;
          queue: string;
          drainSeconds: string;
        },
      ) => {
        const port = parseInteger(flags.port, '--port', 0, 65535);
        const host = flags.host.trim();
        if (host === '' || /[\s/]/.test(host))
          throw new UserInputError(`'${flags.host}' is not a host name or address`, '--host');
        const limits = {
          maxTokensCap:
            flags.maxTokensCap === undefined
              ? undefined
              : parseInteger(flags.maxTokensCap, '--max-tokens-cap', 1, 1_000_000_000),
          maxChoices: parseInteger(flags.maxChoices, '--max-choices', 1, 4096),
          concurrency: parseInteger(flags.concurrency, '--concurrency', 1, 256),
          queueLimit: parseInteger(flags.queue, '--queue', 0, 100_000),
        };
        const drainMs = 1000 * parseNumber(flags.drainSeconds, '--drain-seconds', 0, 600);
        const apiKey = flags.apiKey ?? (process.env.ALIGNLAB_API_KEY || undefined);
        await probeListen(host, port); // a busy port or a foreign address fails before the model loads
        const { lm: model, corpus } = await loadLocalModel(checkpoint);
        const app = createLmServer(model, {
          promptFor: corpus?.promptFor,
          defaultStop: corpus?.stop,
          apiKey,
          modelAliases: flags.modelAlias,
          ...limits,
        });
        try {
          await app.listen({ host, port });
        } catch (error) {
          await app.close().catch(() => {});
          throw listenError(error, host, port);
        }
        const { address, warning } = listenNotice(host, app.server.address(), apiKey !== undefined);
        io.out(
          `serving model '${model.id}' at ${address}/v1 (${activeBackend()?.path ?? 'unknown'} backend; ` +
            `max_tokens <= ${limits.maxTokensCap ?? model.contextLength}, prompts x n <= ${limits.maxChoices}` +
            `${apiKey ? ', API key required' : ''}); Ctrl-C stops\n`,
        );
        if (warning) io.err(`alignlab: warning: ${warning}\n`);
        await new Promise<void>((done) => {
          let stopping = false;
          const stop = (signal: NodeJS.Signals) => {
            if (stopping) process.exit(signal === 'SIGINT' ? 130 : 143);
            stopping = true;
            io.err(`alignlab: ${signal}: finishing requests in flight (at most ${drainMs / 1000} s)\n`);
            void app.drain(drainMs).finally(() => {
              process.off('SIGINT', stop);
              process.off('SIGTERM', stop);
              done();
            });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        model.model.dispose();
      },
    );
}

/**
 * The address a server really bound (not the loopback fastify reports for 0.0.0.0) and, for a
 * host beyond loopback, the warning to print.
 */
export function listenNotice(
  host: string,
  bound: ReturnType<NetServer['address']>,
  hasKey: boolean,
): { address: string; warning?: string } {
  const address =
    bound && typeof bound === 'object'
      ? `http://${bound.family === 'IPv6' ? `[${bound.address}]` : bound.address}:${bound.port}`
      : String(bound);
  if (isLoopback(host)) return { address };
  return {
    address,
    warning:
      `listening on ${host}, reachable from other machines` +
      (hasKey ? '' : ' with no API key (anyone who can reach it can use it; set --api-key)'),
  };
}

/** Binds and releases host:port once, so listen errors come before the slow part. */
async function probeListen(host: string, port: number): Promise<void> {
  const probe = createNetServer();
  try {
    await new Promise<void>((done, fail) => {
      probe.once('error', fail);
      probe.listen({ host, port, exclusive: true }, () => done());
    });
  } catch (error) {
    throw listenError(error, host, port);
  } finally {
    await new Promise<void>((done) => probe.close(() => done()));
  }
}

/** Why the server could not listen, in one line that names the flag. */
function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UserInputError(
      `port ${port} on ${host} is in use (choose another, or 0 for any free one)`,
      '--port',
    );
  if (code === 'EACCES')
    return new UserInputError(
      `not allowed to listen on port ${port} (ports below 1024 need privileges)`,
      '--port',
    );
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EADDRNOTAVAIL' || code === 'EINVAL')
    return new UserInputError(
      `cannot listen on '${host}' (${code}: not an address of this machine)`,
      '--host',
    );
  return error as Error;
}
