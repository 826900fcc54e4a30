"""The small net's SGD step (tools/bench/small_net_torch.py's SmallNet) on a CUDA GPU, for
tools/bench/step_webgpu.ts to print beside WebGPU. Prints one JSON line: {"available": false, ...}
when this PyTorch has no CUDA device, else {"ms_per_step": ..., "device": ...}.

usage: python3 small_net_torch_cuda.py --steps 10 --batch 32 --activation relu
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import torch
    import torch.nn.functional as F
    from small_net_torch import SmallNet
except ImportError as e:  # no PyTorch here: say so in the one JSON line step_webgpu.ts reads
    print(json.dumps({"available": False, "reason": f"PyTorch is not installed ({e})"}))
    sys.exit(0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--input", type=int, default=112)
    p.add_argument("--activation", default="relu")
    a = p.parse_args()
    if not torch.cuda.is_available():
        reason = f"no CUDA device (torch {torch.__version__}: a CPU build, or no GPU or driver)"
        print(json.dumps({"available": False, "reason": reason, "torch": torch.__version__}))
        return
    device = torch.device("cuda")
    torch.manual_seed(0)
    net = SmallNet(activation=a.activation).to(device)
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, a.input, a.input, device=device)
    y = torch.randint(0, 10, (a.batch,), device=device)

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        # Reading the loss waits for the GPU, as the WebGPU step's `await loss.data()` does.
        return loss.item()

    for _ in range(3):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    print(
        json.dumps(
            {
                "available": True,
                "ms_per_step": times[len(times) // 2],
                "device": torch.cuda.get_device_name(0),
                "torch": torch.__version__,
            }
        )
    )


if __name__ == "__main__":
    main()
