"""The small net of paper Table 1 in PyTorch, as tools/bench/smallNet.ts builds it, timed for
SGD steps on the CPU. Prints one JSON line: {"ms_per_step": ..., "threads": ...}.

usage: /usr/bin/python3 small_net_torch.py --threads 1 --steps 10 --activation relu
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallNet(nn.Module):
    def __init__(self, width=0.5, fc=1024, classes=10, activation="relu"):
        super().__init__()
        c1, c2, c3 = round(64 * width), round(128 * width), round(256 * width)
        act = (lambda c: nn.PReLU(c, 0.25)) if activation == "prelu" else (lambda c: nn.ReLU())
        layers = [nn.Conv2d(3, c1, 7, stride=2), act(c1), nn.MaxPool2d(3, 3)]
        for i in range(4):
            layers += [nn.Conv2d(c1 if i == 0 else c2, c2, 2, padding="same"), act(c2)]
        layers += [nn.MaxPool2d(2, 2)]
        for i in range(6):
            layers += [nn.Conv2d(c2 if i == 0 else c3, c3, 2, padding="same"), act(c3)]
        self.trunk = nn.Sequential(*layers)
        self.levels = [6, 3, 2, 1]
        feats = c3 * sum(n * n for n in self.levels)
        self.fc1, self.fc2, self.fc3 = nn.Linear(feats, fc), nn.Linear(fc, fc), nn.Linear(fc, classes)

    def forward(self, x):
        h = self.trunk(x)
        b = h.shape[0]
        f = torch.cat([F.adaptive_max_pool2d(h, n).reshape(b, -1) for n in self.levels], 1)
        f = F.dropout(F.relu(self.fc1(f)), 0.5, self.training)
        f = F.dropout(F.relu(self.fc2(f)), 0.5, self.training)
        return self.fc3(f)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--input", type=int, default=112)
    p.add_argument("--activation", default="relu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    net = SmallNet(activation=a.activation)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, a.input, a.input)
    y = torch.randint(0, 10, (a.batch,))

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    step()
    step()
    times = []
    cpu = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        c0 = time.process_time()
        step()
        times.append((time.perf_counter() - t0) * 1000)
        # CPU time of all the process's threads: less sensitive than wall time to other jobs
        # on a shared machine (for one thread, the two agree on a quiet one).
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    cpu.sort()
    print(
        json.dumps(
            {
                "ms_per_step": times[len(times) // 2],
                "cpu_ms_per_step": cpu[len(cpu) // 2],
                "threads": torch.get_num_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
