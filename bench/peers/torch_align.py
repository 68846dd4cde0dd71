#!/usr/bin/env python3
"""PyTorch reference for `alignlab bench align`: the same DPO step and PPO update as
src/align/dpo.ts (`dpoStep`) and src/align/ppo.ts (`ppoUpdate`), on the same model (the GPT of
torch_gpt.py, plus a scalar value head on the final LayerNorm output for PPO) and the same
token rows, which `alignlab bench align` writes to a JSON file (--setup).

    python3 bench/peers/torch_align.py --setup setup.json --method dpo --steps 5 --threads 1

Prints one JSON line: {"method", "path": "pytorch", "updateMs", "updatesPerSecond", ...}.
Needs Debian's python3-torch (and libopenblas0-pthread); only the benchmark does.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_gpt import GPT  # noqa: E402  (the same model as bench nn's peer)


def hidden(model, idx):
    """The trunk: final hidden states after ln_f (what the LM head and scalar heads read)."""
    x = model.wte(idx) + model.wpe(torch.arange(idx.shape[1]))
    for block in model.h:
        x = block(x)
    return model.ln_f(x)


def rows_tensors(rows):
    """Inputs, targets and the completion mask of `<bos> prompt completion <eos>` rows."""
    b, t = rows['batch'], rows['time']
    ids = torch.tensor(rows['ids'], dtype=torch.long).view(b, t)
    mask = torch.zeros(b, t - 1)
    for i in range(b):
        mask[i, rows['promptLengths'][i] - 1:rows['lengths'][i] - 1] = 1
    return ids[:, :-1], ids[:, 1:], mask


def token_logps(logits, targets, mask):
    """log p of each target token, zero outside the completion; and the full log-softmax."""
    logp = F.log_softmax(logits, dim=-1)
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask, logp


def dpo_update(setup, model):
    cfg = setup['dpo']['config']
    n = setup['dpo']['pairs']
    inputs, targets, mask = rows_tensors(setup['dpo']['rows'])
    average = cfg['lossType'] == 'ipo'  # IPO reads per-token means, as TRL

    def sequence_logps():
        lp, _ = token_logps(model.lm_head(hidden(model, inputs)), targets, mask)
        total = lp.sum(1)
        return total / mask.sum(1).clamp(min=1) if average else total

    with torch.no_grad():
        reference = sequence_logps()
    ref_c, ref_r = reference[:n], reference[n:]
    opt = torch.optim.AdamW(model.parameters(), lr=cfg['learningRate'], weight_decay=0.0)
    beta, eps = cfg['beta'], cfg['labelSmoothing']

    def step():
        logps = sequence_logps()
        pc, pr = logps[:n], logps[n:]
        h = (pc - pr) - (ref_c - ref_r)
        if cfg['lossType'] == 'ipo':
            loss = ((h - 1 / (2 * beta)) ** 2).mean()
        elif cfg['lossType'] == 'robust':
            loss = ((-(1 - eps) * F.logsigmoid(beta * h) + eps * F.logsigmoid(-beta * h)) / (1 - 2 * eps)).mean()
        else:
            loss = (-(1 - eps) * F.logsigmoid(beta * h) - eps * F.logsigmoid(-beta * h)).mean()
        with torch.no_grad():  # TRL's metrics, read every step as ours are
            rc, rr = beta * (pc - ref_c), beta * (pr - ref_r)
            for t in (rc.mean(), rr.mean(), (rc > rr).float().mean(), (rc - rr).mean(), pc.mean(), pr.mean()):
                t.item()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg['maxGradNorm'])
        opt.step()
        return loss.item()

    return step, 1


def ppo_update(setup, model):
    cfg = setup['ppo']['config']
    inputs, targets, mask = rows_tensors(setup['ppo']['rows'])
    value_head = nn.Linear(setup['model']['width'], 1)
    nn.init.normal_(value_head.weight, 0.0, 0.02)
    nn.init.zeros_(value_head.bias)
    params = list(model.parameters()) + list(value_head.parameters())
    opt = torch.optim.AdamW(params, lr=cfg['learningRate'], weight_decay=0.0)
    g = torch.Generator().manual_seed(1)
    # The rollout batch is prepared once, outside the timing, as ours is (preparePpoBatch).
    with torch.no_grad():
        hid = hidden(model, inputs)
        old_logps, _ = token_logps(model.lm_head(hid), targets, mask)
        old_values = value_head(hid).squeeze(-1) * mask
        advantages = torch.randn(old_logps.shape, generator=g) * mask
        returns = old_values + advantages
    batch = inputs.shape[0]
    size = math.ceil(batch / cfg['miniBatches'])
    clip, clip_v, vf_coef = cfg['cliprange'], cfg['cliprangeValue'], cfg['vfCoef']

    def masked_mean(x, m):
        return (x * m).sum() / m.sum()

    def update():
        for _ in range(cfg['ppoEpochs']):
            order = torch.randperm(batch, generator=g)
            for start in range(0, batch, size):
                pick = order[start:start + size]
                m = mask[pick]
                hid = hidden(model, inputs[pick])
                lp, logp_all = token_logps(model.lm_head(hid), targets[pick], m)
                values = value_head(hid).squeeze(-1) * m
                diff = lp - old_logps[pick]
                ratio = diff.exp()
                adv = advantages[pick]
                unclipped, clipped = -adv * ratio, -adv * ratio.clamp(1 - clip, 1 + clip)
                pg = masked_mean(torch.maximum(unclipped, clipped), m)
                ov, ret = old_values[pick], returns[pick]
                vclipped = (values - ov).clamp(-clip_v, clip_v) + ov
                vu, vc = (values - ret) ** 2, (vclipped - ret) ** 2
                vf = 0.5 * masked_mean(torch.maximum(vu, vc), m)
                with torch.no_grad():  # the statistics ppoUpdate reports
                    entropy = -(logp_all.exp() * logp_all).sum(-1) * m
                    stats = (masked_mean((clipped > unclipped).float(), m), 0.5 * masked_mean(diff ** 2, m), pg, vf,
                             masked_mean((vc > vu).float(), m), entropy.sum() / m.sum(), masked_mean(ratio, m))
                    for t in stats:
                        t.item()
                loss = pg + vf_coef * vf
                opt.zero_grad(set_to_none=True)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(params, cfg['maxGradNorm'])
                opt.step()

    return update, cfg['ppoEpochs'] * len(range(0, batch, size))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--setup', required=True, help='JSON written by alignlab bench align')
    ap.add_argument('--method', choices=['dpo', 'ppo'], required=True)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--update', default='', help='label of the update, echoed in the output')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    with open(a.setup) as f:
        setup = json.load(f)
    m = setup['model']
    model = GPT(m['vocabSize'], m['contextLength'], m['layers'], m['heads'], m['width'])
    update, optimizer_steps = (dpo_update if a.method == 'dpo' else ppo_update)(setup, model)
    for _ in range(a.warmup):
        update()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        update()
        times.append((time.perf_counter() - t0) * 1000)
    best = min(times)  # the machine is shared: the fastest update is the least disturbed one
    print(json.dumps({
        'method': a.method,
        'update': a.update or a.method,
        'path': 'pytorch',
        'updateMs': round(best, 2),
        'updatesPerSecond': round(1000 / best, 2),
        'optimizerSteps': optimizer_steps,
        'steps': a.steps,
        'threads': a.threads,
    }))


if __name__ == '__main__':
    main()
