"""Peer of tools/bench/augmentation.ts: torchvision + PIL on the same JPEGs.

Usage: /usr/bin/python3 tools/bench/augmentation_torchvision.py <dir> <workers>
Per image: PIL open + convert RGB, shorter side s ~ U{256..512} (bilinear, antialiased), random
224 crop, horizontal flip p=0.5, ToTensor, AlexNet PCA lighting. Prints JSON {images, seconds}.
workers=1: one process, torch.set_num_threads(1). workers>1: a multiprocessing Pool (what a
DataLoader with num_workers does).
"""
import json
import os
import random
import sys
import time

import torch
import torchvision.transforms as T
import torchvision.transforms.functional as F
from PIL import Image

EIGVAL = torch.tensor([0.2175, 0.0188, 0.0045])
EIGVEC = torch.tensor(
    [[-0.5675, 0.7192, 0.4009], [-0.5808, -0.0045, -0.8140], [-0.5836, -0.6948, 0.4203]]
)
CROP = T.RandomCrop(224)
FLIP = T.RandomHorizontalFlip(0.5)


def one(path):
    img = Image.open(path).convert("RGB")
    img = F.resize(img, random.randint(256, 512))
    img = FLIP(CROP(img))
    x = F.to_tensor(img)
    alpha = torch.randn(3) * 0.1
    x = x + (EIGVEC @ (alpha * EIGVAL)).view(3, 1, 1)
    return float(x[0, 0, 0])


def init():
    torch.set_num_threads(1)


def main():
    folder, workers = sys.argv[1], int(sys.argv[2])
    files = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".jpg"))
    init()
    for f in files[:100]:
        one(f)  # warm-up (same count as ours)
    t0 = time.perf_counter()
    if workers == 1:
        for f in files:
            one(f)
    else:
        import multiprocessing as mp

        with mp.Pool(workers, initializer=init) as pool:
            pool.map(one, files, chunksize=8)
    print(json.dumps({"images": len(files), "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
