#!/usr/bin/env python3
"""PyTorch reference for the conv row of `alignlab bench nn`: the sparse MNIST judge of Irving,
Christiano & Amodei (2018) — conv 32 5x5 'same' + ReLU -> max-pool 2 -> conv 64 5x5 'same' + ReLU
-> max-pool 2 -> dense 1024 + ReLU -> dropout 0.4 -> dense 10 — on random 2x28x28 inputs with
random labels, one Adam step (lr 1e-4) on the cross-entropy per training step.

PyTorch's own layout (NCHW); alignlab's is NHWC. The arithmetic per step is the same.

    python3 bench/peers/torch_conv.py --steps 10 --threads 1

Prints one JSON line: {"config", "path": "pytorch", "stepMs", "stepsPerSecond", "imagesPerSecond", "threads", "params", "steps"}.
"""
import argparse
import json
import os
import sys
import time

# torch.set_num_threads does not reach the OpenBLAS that Debian's torch calls for linear layers:
# without this, at low load it runs 2 threads (one spinning), doubling the step's CPU time.
_threads = sys.argv[sys.argv.index('--threads') + 1] if '--threads' in sys.argv else '1'
os.environ.setdefault('OPENBLAS_NUM_THREADS', _threads)
os.environ.setdefault('OMP_NUM_THREADS', _threads)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Judge(nn.Module):
    def __init__(self, size, channels, conv1, conv2, hidden, dropout, classes):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, conv1, 5, padding=2)
        self.conv2 = nn.Conv2d(conv1, conv2, 5, padding=2)
        self.fc1 = nn.Linear(conv2 * (size // 4) ** 2, hidden)
        self.drop = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = self.drop(F.relu(self.fc1(x.flatten(1))))
        return self.fc2(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=28)
    ap.add_argument('--channels', type=int, default=2)
    ap.add_argument('--conv1', type=int, default=32)
    ap.add_argument('--conv2', type=int, default=64)
    ap.add_argument('--hidden', type=int, default=1024)
    ap.add_argument('--dropout', type=float, default=0.4)
    ap.add_argument('--classes', type=int, default=10)
    ap.add_argument('--batch', type=int, default=64)
    ap.add_argument('--steps', type=int, default=10)
    ap.add_argument('--warmup', type=int, default=2)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--config', default='')
    ap.add_argument('--clock', choices=['cpu', 'wall'], default='wall',
                    help='cpu: this process\'s CPU time (all threads); wall: elapsed time')
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = Judge(a.size, a.channels, a.conv1, a.conv2, a.hidden, a.dropout, a.classes)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)
    x = torch.rand(a.batch, a.channels, a.size, a.size)
    y = torch.randint(0, a.classes, (a.batch,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
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
    print(json.dumps({
        'config': a.config or f'judge {a.channels}x{a.size}x{a.size} conv{a.conv1}-conv{a.conv2}-fc{a.hidden} B{a.batch}',
        'path': 'pytorch',
        'stepMs': round(best, 2),
        'medianStepMs': round(sorted(times)[len(times) // 2], 2),
        'stepsPerSecond': round(1000 / best, 2),
        'imagesPerSecond': round(a.batch / best * 1000),
        'threads': a.threads,
        'params': sum(p.numel() for p in model.parameters()),
        'steps': a.steps,
    }))


if __name__ == '__main__':
    main()
