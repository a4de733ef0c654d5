#!/usr/bin/python3
"""make-golden-dropout.py -- golden vectors for dropout with given masks.

    /usr/bin/python3 tests/reference/make-golden-dropout.py [OUTDIR]

writes OUTDIR/golden-dropout-CELL-KIND.txt (OUTDIR defaults to tests/data)
for every cell and both kinds: a model of L = 2 layers whose every step is
written out in torch (float64, autograd for the gradients), with the masks
given in the file, so that the C side can load the same masks and must
take the same steps:

  standard     (Zaremba, Sutskever and Vinyals 2014): layer l reads
               x_l * Mi_l[t] (x_0 the input, x_l layer l-1's output) and
               the top output is out * Mo[t]; a mask row per step and
               sequence, rows t*B+b; nothing on the recurrent connections
  variational  (Gal and Ghahramani 2016): the same with one mask row per
               sequence b, reused at every step, and the recurrent state
               masked where it enters W_hh: every product W_h? h_{t-1}
               reads Mr_l[b] * h_{t-1} (gru-cho and mgu: W_hn (Mr*(g*h))),
               while the cell's elementwise paths keep the whole state

Mask entries are 0 with probability 0.35, else 1/0.65 (inverted dropout).
The file holds the parameters (state_dict names, _l1 for layer 1), input
(T,B,I), h0 (L,B,H), c0 (lstm), grad_output (T,B,H), the masks
mask_input_l0, mask_input_l1, [mask_recurrent_l0, mask_recurrent_l1],
mask_output, the expected dropped-out output (T,B,H) and h_n (L,B,H), and
the gradients of L = sum(grad_output * output): grad_<param>,
grad_input, grad_h0, grad_c0.  The draws come from a torch.Generator with
fixed seeds, so a rerun rewrites identical files.  The test
(tests/lib/golden-dropout.c) needs neither torch nor this script.
"""
import importlib.util
import os
import sys

import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
_spec = importlib.util.spec_from_file_location(
    "make_golden_layers", os.path.join(HERE, "make-golden-layers.py"))
GL = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(GL)

T, B, I, H, L = 5, 3, 4, 3, 2
P = 0.35
CELLS = ["rnn", "gru", "gru-cho", "lstm", "seed", "mgu"]
BASE_SEED = 20261208


def masks(g, rows, cols):
    keep = (torch.rand((rows, cols), generator=g) >= P).double()
    return keep / (1.0 - P)


def step(cell, q, x, h, c, m):
    """One step of one layer; m masks h where it enters W_hh (ones: none)."""
    hm = m * h
    if cell == "seed":
        out = {}
        for k in "fioc":
            W = q["weight_" + k]
            out[k] = hm @ W[:, :H].T + x @ W[:, H:].T + q["bias_" + k]
        f, i = torch.sigmoid(out["f"]), torch.sigmoid(out["i"])
        return f * h + i * torch.tanh(out["c"]), None
    Wi, Wh = q["weight_ih_l0"], q["weight_hh_l0"]
    bi, bh = q["bias_ih_l0"], q["bias_hh_l0"]
    if cell == "rnn":
        return torch.tanh(x @ Wi.T + bi + hm @ Wh.T + bh), None
    if cell == "lstm":
        a = x @ Wi.T + bi + hm @ Wh.T + bh
        i, f, gg, o = a.chunk(4, 1)
        c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(gg)
        return torch.sigmoid(o) * torch.tanh(c2), c2
    if cell == "mgu":
        W_if, W_in = Wi.chunk(2, 0)
        W_hf, W_hn = Wh.chunk(2, 0)
        b_if, b_in = bi.chunk(2, 0)
        b_hf, b_hn = bh.chunk(2, 0)
        f = torch.sigmoid(x @ W_if.T + b_if + hm @ W_hf.T + b_hf)
        n = torch.tanh(x @ W_in.T + b_in + (m * (f * h)) @ W_hn.T + b_hn)
        return (1 - f) * h + f * n, None
    W_ir, W_iz, W_in = Wi.chunk(3, 0)
    W_hr, W_hz, W_hn = Wh.chunk(3, 0)
    b_ir, b_iz, b_in = bi.chunk(3, 0)
    b_hr, b_hz, b_hn = bh.chunk(3, 0)
    r = torch.sigmoid(x @ W_ir.T + b_ir + hm @ W_hr.T + b_hr)
    z = torch.sigmoid(x @ W_iz.T + b_iz + hm @ W_hz.T + b_hz)
    if cell == "gru":
        n = torch.tanh(x @ W_in.T + b_in + r * (hm @ W_hn.T + b_hn))
    else:  # gru-cho: reset before the product
        n = torch.tanh(x @ W_in.T + b_in + (m * (r * h)) @ W_hn.T + b_hn)
    return (1 - z) * n + z * h, None


def run(cell, p, x, h0, c0, mi, mr, mo, var):
    """The stack with the masks; mi[l], mo: (T*B or B, n); mr[l] or None."""
    def row(mask, t):
        return mask if var else mask[t * B:(t + 1) * B]
    inp = x
    hn = []
    for l in range(L):
        q = GL.layer_params(p, cell, l, I, H)
        h = h0[l]
        c = c0[l] if c0 is not None else None
        outs = []
        for t in range(T):
            m = mr[l] if mr is not None else torch.ones(B, H)
            h, c = step(cell, q, inp[t] * row(mi[l], t), h, c, m)
            outs.append(h)
        hn.append(h)
        inp = torch.stack(outs)
    out = torch.stack([inp[t] * row(mo, t) for t in range(T)])
    return out, torch.stack(hn)


def make_one(outdir, cell, kind, seed):
    var = kind == "variational"
    g = torch.Generator().manual_seed(seed)
    pshapes = GL.param_shapes(cell, I, H, L)
    p = {n: GL.uniform(g, s, GL.PARAM_SCALE).requires_grad_()
         for n, s in pshapes}
    x = GL.uniform(g, (T, B, I), GL.DATA_SCALE).requires_grad_()
    h0 = GL.uniform(g, (L, B, H), GL.DATA_SCALE).requires_grad_()
    c0 = (GL.uniform(g, (L, B, H), GL.DATA_SCALE).requires_grad_()
          if cell == "lstm" else None)
    gout = GL.uniform(g, (T, B, H), GL.DATA_SCALE)
    rows = B if var else T * B
    mi = [masks(g, rows, I if l == 0 else H) for l in range(L)]
    mr = [masks(g, B, H) for _ in range(L)] if var else None
    mo = masks(g, rows, H)
    out, hn = run(cell, p, x, h0, c0, mi, mr, mo, var)
    leaves = [p[n] for n, _ in pshapes] + [x, h0] + ([c0] if c0 is not None else [])
    grads = torch.autograd.grad((gout * out).sum(), leaves, allow_unused=True)
    grads = [torch.zeros_like(a) if d is None else d for a, d in zip(leaves, grads)]
    path = os.path.join(outdir, "golden-dropout-%s-%s.txt" % (cell, kind))
    w = GL.G1.write_tensor
    with open(path, "w") as f:
        f.write("# Golden vectors for %s dropout on grulab's '%s' cell, %d layers, "
                "T=%d B=%d I=%d H=%d, p=%g.\n" % (kind, cell, L, T, B, I, H, P))
        f.write("# Generated by tests/reference/make-golden-dropout.py with torch "
                "%s, float64,\n# torch.Generator seed %d.  Do not edit: rerun the "
                "script.\n" % (torch.__version__, seed))
        f.write("# L = sum(grad_output * output), output the dropped-out top "
                "output; grad_X = dL/dX.\n\n# ---- parameters\n")
        for n, _ in pshapes:
            w(f, n, p[n])
        f.write("\n# ---- data and masks\n")
        w(f, "input", x)
        w(f, "h0", h0)
        if c0 is not None:
            w(f, "c0", c0)
        w(f, "grad_output", gout)
        for l in range(L):
            w(f, "mask_input_l%d" % l, mi[l])
        if var:
            for l in range(L):
                w(f, "mask_recurrent_l%d" % l, mr[l])
        w(f, "mask_output", mo)
        f.write("\n# ---- expected forward\n")
        w(f, "output", out)
        w(f, "h_n", hn)
        f.write("\n# ---- expected gradients\n")
        names = ["grad_" + n for n, _ in pshapes] + ["grad_input", "grad_h0"]
        if c0 is not None:
            names.append("grad_c0")
        for n, d in zip(names, grads):
            w(f, n, d)
    return path


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "data")
    os.makedirs(outdir, exist_ok=True)
    k = 0
    for cell in CELLS:
        for kind in ["standard", "variational"]:
            print(os.path.relpath(make_one(outdir, cell, kind, BASE_SEED + k)))
            k += 1


if __name__ == "__main__":
    main()
