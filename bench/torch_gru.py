"""torch_gru.py -- the PyTorch side of bench/vs-pytorch.sh (float64, CPU).

  torch_gru.py bench B H I T ITERS   forward + full BPTT of nn.GRU, the work
                                     of 'grulab bench' (gradients of the
                                     parameters, the input and h0): prints
                                     'torch bench median_ms=X'
  torch_gru.py train T STEPS SEED    the adding problem as 'grulab train
                                     --task adding --cell gru' runs it: H=32,
                                     B=50, Adam 1e-3, clip 1; prints
                                     'torch train seconds=X test_mse=Y'
  torch_gru.py kernels               the BLAS this torch runs its products
                                     on: 'torch kernels=openblas-0.3.21:Zen'
                                     (OpenBLAS's library and kernel family,
                                     read from the library the process has
                                     loaded), else 'torch kernels=unknown'

The caller sets OMP_NUM_THREADS and OPENBLAS_NUM_THREADS; this script also
calls torch.set_num_threads with the same count (PyTorch's BLAS calls use
OpenBLAS's own pool, which set_num_threads does not limit)."""
import ctypes
import os
import statistics
import sys
import time

import torch

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
torch.set_default_dtype(torch.float64)


def bench(B, H, I, T, iters):
    torch.manual_seed(1)
    gru = torch.nn.GRU(I, H)
    # The gradients grulab's bench computes: the parameters', the input's
    # and the initial state's (without requires_grad torch would skip the
    # input's, an (T*B, 3H) by (3H, I) product grulab does).
    x = (torch.rand(T, B, I) * 2 - 1).requires_grad_(True)
    h0 = torch.zeros(1, B, H, requires_grad=True)
    dout = torch.rand(T, B, H) * 2 - 1
    times = []
    for it in range(3 + iters):
        gru.zero_grad(set_to_none=False)
        x.grad = None
        h0.grad = None
        t0 = time.perf_counter()
        out, _ = gru(x, h0)
        out.backward(dout)
        t1 = time.perf_counter()
        if it >= 3:
            times.append((t1 - t0) * 1e3)
    print("torch bench median_ms=%.4f" % statistics.median(times))


def adding_batch(T, B, g):
    # values ~ U[0,1], one marker in each half, target = sum of the marked
    v = torch.rand(B, T, generator=g)
    m = torch.zeros(B, T)
    i = torch.randint(0, T // 2, (B,), generator=g)
    j = torch.randint(T // 2, T, (B,), generator=g)
    m[torch.arange(B), i] = 1.0
    m[torch.arange(B), j] = 1.0
    x = torch.stack([v, m], dim=2).transpose(0, 1).contiguous()  # (T, B, 2)
    y = (v * m).sum(dim=1, keepdim=True)
    return x, y


def train(T, steps, seed):
    H, B = 32, 50
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed)
    gru = torch.nn.GRU(2, H)
    readout = torch.nn.Linear(H, 1)
    params = list(gru.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=1e-3)
    t0 = time.perf_counter()
    for _ in range(steps):
        x, y = adding_batch(T, B, g)
        _, h = gru(x)
        loss = torch.nn.functional.mse_loss(readout(h[0]), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
    seconds = time.perf_counter() - t0
    gt = torch.Generator().manual_seed(seed ^ 0x9E3779B9)
    with torch.no_grad():
        x, y = adding_batch(T, 1000, gt)
        _, h = gru(x)
        mse = torch.nn.functional.mse_loss(readout(h[0]), y).item()
    print("torch train seconds=%.3f test_mse=%.6f" % (seconds, mse))


def kernels():
    # a small product loads the BLAS; then ask the OpenBLAS in this process
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        libs = sorted({l.split()[-1] for l in f if "libopenblas" in l})
    for path in libs:
        try:
            name = ctypes.CDLL(path).openblas_get_corename
        except (OSError, AttributeError):
            continue
        name.restype = ctypes.c_char_p
        lib = os.path.basename(path).split(".so")[0].replace("lib", "", 1)
        print("torch kernels=%s:%s" % (lib, name().decode()))
        return
    print("torch kernels=unknown")


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "bench":
        bench(*map(int, sys.argv[2:7]))
    elif what == "train":
        train(*map(int, sys.argv[2:5]))
    elif what == "kernels":
        kernels()
    else:
        sys.exit("usage: torch_gru.py bench B H I T ITERS | train T STEPS SEED"
                 " | kernels")
