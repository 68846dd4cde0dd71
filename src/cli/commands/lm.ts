/** `alignlab lm train|sample|eval|corpus` and `alignlab serve`: tiny language models from the command line. */
import { existsSync, statSync } from 'node:fs';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserInputError } from '../../core/errors.js';
import { stepProgress } from '../../lab/progress.js';
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
  createLmServer,
  type EvalReport,
  evaluateOnCorpus,
  getCorpus,
  isLoopback,
  type LanguageModel,
  type LmTrainConfig,
  LmTrainConfigSchema,
  loadLocalModel,
  OpenAIBackend,
  saveCheckpoint,
  trainLanguageModel,
  writeDirectoryAtomically,
} from '../../lm/index.js';
import { activeBackend, initBackend } from '../../nn/index.js';
import { oneOf, parseInteger, parseNumber, parseSeed } from '../flags.js';
import type { CliIo } from '../io.js';
import { claimOutputDir } from '../out-path.js';
import { addSchemaOptions, deprecatedPositional } from '../schema-options.js';

/**
 * `lm sample`'s options as a schema, the one source of their defaults. Greedy by default, so
 * the same checkpoint and prompt print the same completion (the library samples at 1).
 */
const SampleOptionsSchema = z.strictObject({
  maxNewTokens: z.number().int().min(0).max(100_000).default(32),
  temperature: z.number().min(0).max(100).default(0),
  topK: z.number().int().min(0).default(0),
  seed: z.number().int().min(0).default(0),
});

/** A checkpoint folder given as `--model`, or (deprecated) as the command's argument. */
function checkpointOf(io: CliIo, positional: string | undefined, model: string | undefined): string {
  const dir = deprecatedPositional(io, positional, '--model', model);
  if (dir === undefined) throw new UserInputError('name a checkpoint folder with --model <dir>');
  return dir;
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

  const train = lm
    .command('train')
    .description(
      'train a transformer on a corpus and save a checkpoint (safetensors + config.json + tokenizer.json)',
    )
    .requiredOption('--out <dir>', 'checkpoint folder to write')
    .option(
      '--force',
      'write into a --out folder that holds other files (kept; same-named ones are replaced)',
    )
    .option('--json', 'print a JSON summary');
  const trainConfig = addSchemaOptions(train, io, LmTrainConfigSchema, {
    corpus: 'training corpus',
    seed: 'seed of corpus split, initialization and batches',
    steps: 'optimizer steps',
    batchSize: 'sequences per step',
    learningRate: { flag: '--lr', help: 'peak learning rate (warmup + cosine decay)' },
    warmupSteps: 'linear warmup steps',
    weightDecay: 'decoupled weight decay (AdamW)',
    maxGradNorm: 'clip the gradient to this global norm',
    layers: 'transformer blocks',
    heads: 'attention heads',
    width: 'embedding width',
    tokenizer: 'tokenizer',
    bpeMerges: 'merges of a BPE tokenizer',
  });
  train.action(async (flags: { out: string; force?: boolean; json?: boolean }) => {
    const out = claimOutputDir(flags.out, 'lm train', { force: flags.force });
    const config = trainConfig(flags) as LmTrainConfig;
    const resolved = LmTrainConfigSchema.parse(config);
    if (resolved.width % resolved.heads !== 0) {
      throw new UserInputError(
        `width ${resolved.width} is not a multiple of heads ${resolved.heads}`,
        '--width',
      );
    }
    const backend = await initBackend();
    io.err(`backend ${backend.description}\n`);
    const progress = stepProgress(io, 'step', resolved.steps);
    const trained = trainLanguageModel(config, (p) =>
      progress.update(p.step, `loss ${p.loss.toFixed(4)}  ${Math.round(p.tokensPerSecond)} tokens/s`),
    );
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
    const summary = {
      out: flags.out,
      parameters: trained.model.parameterCount(),
      corpus: trained.config.corpus,
      steps: trained.config.steps,
      seconds: trained.seconds,
      finalLoss: trained.finalLoss,
    };
    io.out(
      flags.json
        ? `${JSON.stringify(summary)}\n`
        : `trained ${summary.parameters} parameters on ${summary.corpus} for ${summary.steps} steps ` +
            `in ${(summary.seconds / 60).toFixed(1)} min (final loss ${summary.finalLoss.toFixed(4)}); saved ${flags.out}\n`,
    );
    trained.model.dispose();
  });

  const sample = lm
    .command('sample [dir]')
    .description(
      'complete prompts with a trained checkpoint (--model <dir>), or with an OpenAI-compatible endpoint ' +
        '(--base-url, --model <name>, --api-key, or OPENAI_BASE_URL/ALIGNLAB_MODEL/OPENAI_API_KEY)',
    )
    .requiredOption('--prompt <text...>', 'one or more prompts')
    .option(
      '--model <dir|name>',
      'a checkpoint folder; with --base-url (or no such folder), the model name at the endpoint',
    )
    .option('--base-url <url>', 'OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1')
    .option('--api-key <key>', 'API key (default: OPENAI_API_KEY)')
    .option('--api <kind>', 'completions or chat', 'completions')
    .option('--json', 'print a JSON list of {prompt, completion}');
  const sampleOptions = addSchemaOptions(sample, io, SampleOptionsSchema, {
    maxNewTokens: { help: 'most new tokens per completion', deprecated: ['--max-tokens'] },
    temperature: 'sampling temperature (0 = greedy)',
    topK: 'sample among the k likeliest tokens (0 = all)',
    seed: 'sampling seed',
  });
  sample.action(
    async (
      dir: string | undefined,
      flags: {
        prompt: string[];
        model?: string;
        baseUrl?: string;
        apiKey?: string;
        api: string;
        json?: boolean;
      },
    ) => {
      const options = SampleOptionsSchema.parse(sampleOptions(flags));
      const checkpoint =
        dir !== undefined
          ? checkpointOf(io, dir, flags.model)
          : flags.baseUrl === undefined && flags.model !== undefined && isFolder(flags.model)
            ? flags.model
            : undefined;
      let model: LanguageModel;
      let stop: readonly string[] | undefined;
      if (checkpoint === undefined) {
        model = new OpenAIBackend({
          baseURL: flags.baseUrl,
          model: flags.model,
          apiKey: flags.apiKey,
          api: oneOf(flags.api, ['completions', 'chat'] as const, '--api'),
        });
      } else {
        const loaded = await loadLocalModel(checkpoint);
        model = loaded.lm;
        stop = loaded.corpus?.stop;
      }
      const outputs = await model.generate(flags.prompt, {
        maxTokens: options.maxNewTokens,
        temperature: options.temperature,
        topK: options.topK,
        seed: options.seed,
        stop,
      });
      if (flags.json) {
        io.out(`${JSON.stringify(flags.prompt.map((prompt, i) => ({ prompt, completion: outputs[i] })))}\n`);
        return;
      }
      for (const [i, p] of flags.prompt.entries()) io.out(`${p}${outputs[i]}\n`);
    },
  );

  lm.command('eval [dir]')
    .description(
      'exact-match accuracy (and, for arithmetic, calibration of the confidence word) on held-out items',
    )
    .option('--model <dir>', 'the checkpoint to evaluate')
    .option('--limit <n>', 'evaluate only the first n held-out items')
    .option('--json', 'print JSON')
    .action(async (dir: string | undefined, flags: { model?: string; limit?: string; json?: boolean }) => {
      const { loaded, corpus } = await modelWithCorpus(checkpointOf(io, dir, flags.model));
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
    .option('--json', 'print JSON')
    .action((flags: { clear?: boolean; json?: boolean }) => {
      const root = cacheRoot();
      if (flags.clear) {
        const removed = clearCache(root);
        io.out(
          flags.json
            ? `${JSON.stringify({ root, removed })}\n`
            : `cleared ${removed} cached model(s) from ${root}\n`,
        );
        return;
      }
      const entries = listCache(root);
      if (flags.json) {
        io.out(`${JSON.stringify({ root, entries })}\n`);
        return;
      }
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
      const corpus = getCorpus(name, parseSeed(flags.seed), 'corpus');
      const split = oneOf(flags.split, ['train', 'test'] as const, '--split');
      for (const item of corpus.split(split).slice(0, parseInteger(flags.limit, '--limit', 0, 10_000_000))) {
        io.out(`${JSON.stringify(item)}\n`);
      }
    });

  const serve = program
    .command('serve [checkpoint]')
    .description(
      'serve a checkpoint as an OpenAI-compatible API (/v1/models, /v1/completions, /v1/chat/completions, ' +
        'stream: true); loopback only unless --host says otherwise',
    )
    .option('--model <dir>', 'the checkpoint to serve')
    .option('--host <host>', 'address to listen on (0.0.0.0 = every interface: set --api-key)', '127.0.0.1')
    .option('--port <n>', 'port (0 = any free one)', '8000')
    .option('--api-key <key>', 'require Authorization: Bearer <key> (default: $ALIGNLAB_API_KEY, else none)')
    .option('--model-alias <name...>', "more model names this model answers to ('*' = any)")
    .option('--max-tokens-cap <n>', "largest max_tokens a request may ask (default: the model's context)")
    .option('--max-choices <n>', 'largest prompts x n in one request', '64')
    .option('--concurrency <n>', 'requests generating at once (they take turns token by token)', '4')
    .option('--queue <n>', 'requests waiting beyond those; more get 429 + Retry-After', '32')
    .option('--drain-seconds <x>', 'on SIGTERM/SIGINT, how long in-flight requests may finish', '3');
  serve.action(
    async (
      positional: string | undefined,
      flags: {
        model?: string;
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
      const checkpoint = checkpointOf(io, positional, flags.model);
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

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
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
