#!/usr/bin/python3
"""bench/text-torch.py -- training speed on the text task, grulab against
PyTorch float64 on the same configuration, measured in one run, both on
one thread.

    bench/text-torch.py [--grulab src/grulab] [--steps 60] [--cell gru]
                        [--hidden-size 128] [--bptt 64] [--batch 32]

The configuration is `grulab train --task text`'s default: GSL's headers
concatenated in sorted order, the vocabulary of their distinct bytes,
B streams of windows of T bytes, truncated BPTT (h carried, detached),
a softmax readout at every step, mean cross-entropy, global-norm clipping
at 5 and Adam at 3e-3.  PyTorch reads one-hot float64 inputs with
nn.GRU / nn.RNN / nn.LSTM and an nn.Linear readout over all T*B rows.

Threads and kernels: both sides run with OMP_NUM_THREADS and
OPENBLAS_NUM_THREADS at 1 (PyTorch's BLAS calls use OpenBLAS's own pool,
which torch.set_num_threads does not limit, and OpenBLAS reads the
variables when it loads, so the script runs itself again with them set).
Where OpenBLAS does not know the CPU and grulab chooses its kernels
(`grulab --version`: "set by grulab"), OPENBLAS_CORETYPE is set to the
same kernels for PyTorch too.

Characters per second = steps * T * B / (seconds of the training loop),
for both.  grulab's number is the one `grulab train` prints
(chars_per_second), which times its loop the same way.  PyTorch is
optional: without it the script says so and prints grulab's number only.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--grulab", default="src/grulab")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--cell", default="gru", choices=["gru", "rnn", "lstm"])
    ap.add_argument("--hidden-size", type=int, default=128)
    ap.add_argument("--bptt", type=int, default=64)
    ap.add_argument("--batch", type=int, default=32)
    a = ap.parse_args()
    T, B, H, steps = a.bptt, a.batch, a.hidden_size, a.steps

    # One thread for both, and the same OpenBLAS kernels: these must be in
    # the environment before OpenBLAS loads, so run again with them set.
    want = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    ver = subprocess.run([a.grulab, "--version"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"^BLAS kernels: (\w+) \(set by grulab", ver, re.M)
    if m and "OPENBLAS_CORETYPE" not in os.environ:
        want["OPENBLAS_CORETYPE"] = m.group(1)
    if any(os.environ.get(k) != v for k, v in want.items()):
        os.execve(sys.executable, [sys.executable] + sys.argv,
                  dict(os.environ, **want))
    print("threads 1 for both; BLAS kernels: %s" %
          os.environ.get("OPENBLAS_CORETYPE", "as OpenBLAS detects them"))

    # grulab, one BLAS thread (its default for training)
    env = dict(os.environ)
    out = subprocess.run([a.grulab, "train", "--task", "text", "--cell", a.cell,
                          "--hidden-size", str(H), "--bptt", str(T),
                          "--batch", str(B), "--steps", str(steps)],
                         env=env, check=True, capture_output=True, text=True).stdout
    g = float(re.search(r"chars_per_second (\d+)", out).group(1))
    print("grulab   %s H=%d T=%d B=%d, %d steps: %.0f chars/s" % (a.cell, H, T, B, steps, g))

    try:
        import torch
    except ImportError:
        print("PyTorch is not installed (Debian: python3-torch): no comparison")
        return 0
    torch.set_num_threads(1)
    torch.manual_seed(1)
    data = b"".join(open(f, "rb").read() for f in sorted(glob.glob("/usr/include/gsl/*.h")))
    vocab = sorted(set(data))
    V = len(vocab)
    index = {b: i for i, b in enumerate(vocab)}
    ids = torch.tensor([index[b] for b in data], dtype=torch.long)
    ntrain = len(data) - len(data) // 10
    L = (ntrain - 1) // B
    dt = torch.float64
    Cell = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}[a.cell]
    rnn = Cell(V, H).to(dt)
    readout = torch.nn.Linear(H, V).to(dt)
    params = list(rnn.parameters()) + list(readout.parameters())
    opt = torch.optim.Adam(params, lr=3e-3)
    eye = torch.eye(V, dtype=dt)
    h = torch.zeros(1, B, H, dtype=dt)
    c = torch.zeros(1, B, H, dtype=dt)
    starts = torch.arange(B) * L

    def step(w, h, c):
        pos = starts[None, :] + w * T + torch.arange(T)[:, None]   # (T, B)
        x = eye[ids[pos]]                                            # (T, B, V)
        y = ids[pos + 1]
        if a.cell == "lstm":
            out, (hn, cn) = rnn(x, (h, c))
        else:
            out, hn = rnn(x, h)
            cn = c
        z = readout(out.reshape(T * B, H))
        loss = torch.nn.functional.cross_entropy(z, y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        opt.step()
        return hn.detach(), cn.detach()

    h, c = step(0, h, c)          # warm-up, not timed
    t0 = time.perf_counter()
    for w in range(1, steps + 1):
        h, c = step(w, h, c)
    secs = time.perf_counter() - t0
    p = steps * T * B / secs
    print("PyTorch  %s H=%d T=%d B=%d, %d steps: %.0f chars/s (float64, %s, 1 thread)"
          % (a.cell, H, T, B, steps, p, torch.__version__))
    print("ratio grulab / PyTorch: %.2f" % (g / p))
    return 0


if __name__ == "__main__":
    sys.exit(main())
