#!/usr/bin/env python3
"""PyTorch reference for `alignlab bench nn`: the same GPT (pre-LayerNorm, GELU-tanh MLP 4x,
learned positions, untied head, GPT-2 init) and the same AdamW step on random tokens.

Run with Debian's python3-torch and libopenblas0-pthread (without it torch uses the slow
reference BLAS). Only the benchmark needs this; the tests do not.

    python3 bench/peers/torch_gpt.py --width 128 --steps 10 --threads 1

Prints one JSON line: {"config", "path": "pytorch", "stepMs", "tokensPerSecond", "threads"}.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = nn.LayerNorm(width)
        self.c_attn = nn.Linear(width, 3 * width)
        self.attn_proj = nn.Linear(width, width)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.mlp_proj = nn.Linear(4 * width, width)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(self.ln_1(x)).split(c, dim=2)
        shape = (b, t, self.heads, c // self.heads)
        q, k, v = (z.view(shape).transpose(1, 2) for z in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(c // self.heads)
        mask = torch.ones(t, t, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float('-inf')).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, c)
        x = x + self.attn_proj(y)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate='tanh'))


class GPT(nn.Module):
    def __init__(self, vocab, context, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.h = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        self.lm_head = nn.Linear(width, vocab, bias=False)
        for name, p in self.named_parameters():
            if p.dim() >= 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith('proj.weight') else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t))
        for block in self.h:
            x = block(x)
        return self.lm_head(self.ln_f(x))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--vocab', type=int, default=64)
    ap.add_argument('--context', type=int, default=64)
    ap.add_argument('--layers', type=int, default=2)
    ap.add_argument('--heads', type=int, default=4)
    ap.add_argument('--width', type=int, default=128)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--config', default='')
    ap.add_argument('--clock', choices=['cpu', 'wall'], default='wall',
                    help='cpu: this process\'s CPU time (all threads); wall: elapsed time')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = GPT(a.vocab, a.context, a.layers, a.heads, a.width)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    x = torch.randint(0, a.vocab, (a.batch, a.context))
    y = torch.randint(0, a.vocab, (a.batch, a.context))

    def step():
        logits = model(x)
        loss = F.cross_entropy(logits.view(-1, a.vocab), y.view(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for _ in range(a.warmup):
        step()
    clock = time.process_time if a.clock == 'cpu' else time.perf_counter
    times = []
    for _ in range(a.steps):
        t0 = clock()
        step()
        times.append((clock() - t0) * 1000)
    best = min(times)  # the machine is shared: the fastest step is the least disturbed one
    tokens = a.batch * a.context
    print(json.dumps({
        'config': a.config or f'L{a.layers} H{a.heads} C{a.width} T{a.context} B{a.batch} V{a.vocab}',
        'path': 'pytorch',
        'stepMs': round(best, 2),
        'medianStepMs': round(sorted(times)[len(times) // 2], 2),
        'tokensPerSecond': round(tokens / best * 1000),
        'threads': a.threads,
        'params': sum(p.numel() for p in model.parameters()),
    }))


if __name__ == '__main__':
    main()
