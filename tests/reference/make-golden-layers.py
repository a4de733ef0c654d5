#!/usr/bin/python3
"""make-golden-layers.py -- golden vectors for stacked layers, every cell.

    /usr/bin/python3 tests/reference/make-golden-layers.py [OUTDIR]

writes OUTDIR/golden-CELL-TtBbIiHhLl.txt (OUTDIR defaults to tests/data)
for every cell and shape below: a model of L layers, layer l's output
sequence the input of layer l+1, PyTorch's nn.GRU(num_layers=L).

  rnn, gru, lstm  torch.nn.RNN / GRU / LSTM(I, H, num_layers=L), torch's
                  own stacking, under its state_dict names weight_ih_l1 ...
  gru-cho, seed   make-golden.py's explicit torch code, one layer after
                  the other (layer l's names end in _l<l>; the seed
                  cell's, which have none in layer 0, get _l<l> appended)
  mgu             make-golden-mgu.py's NumPy forward, layer after layer;
                  the gradients by torch autograd through its torch
                  forward, which must equal NumPy's to 1e-14 (checked)

A self-check first stacks make-golden.py's explicit GRU by hand and
compares it with nn.GRU(num_layers=3), so the stacking the explicit
cells use is torch's.

Each file holds, in the named-tensor text format: the parameters, input
(T,B,I), h0 (L,B,H), c0 (L,B,H) for lstm, grad_output (T,B,H), the
expected output (T,B,H, the top layer's), h_n (L,B,H), c_n (lstm), and
the gradients of L = sum(grad_output * output): grad_<param>,
grad_input, grad_h0, grad_c0.  float64 throughout; the draws come from a
torch.Generator with fixed seeds, so a rerun rewrites identical files.
The test suite (tests/lib/golden-layers.c) reads these files; it needs
neither NumPy nor torch.
"""
import importlib.util
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(
        name.replace("-", "_"), os.path.join(HERE, name + ".py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


G1 = load("make-golden")        # gru-cho, seed, the explicit GRU
GM = load("make-golden-mgu")    # mgu

# (T, B, I, H, L): the degenerate one, odd shapes, and three layers.
SHAPES = [(1, 1, 1, 1, 2), (7, 3, 5, 4, 2), (6, 2, 3, 5, 3)]
CELLS = ["rnn", "gru", "gru-cho", "lstm", "seed", "mgu"]
BASE_SEED = 20261207
PARAM_SCALE = 0.9
DATA_SCALE = 1.3
MODULES = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}


def uniform(g, shape, scale):
    return (torch.rand(shape, generator=g) * 2.0 - 1.0) * scale


def layer_name(name, l):
    return name[:-3] + "_l%d" % l if name.endswith("_l0") else name + "_l%d" % l


def layer_shapes(cell, I, H):
    """One layer's (name, shape) under layer 0's names."""
    if cell == "mgu":
        return list(zip(GM.NAMES, GM.shapes(I, H)))
    return G1.param_shapes(cell, I, H)


def param_shapes(cell, I, H, L):
    """Every layer's tensors, layer 0 first, in grulab's (and torch's) order."""
    out = []
    for l in range(L):
        for name, s in layer_shapes(cell, I if l == 0 else H, H):
            out.append((name if l == 0 else layer_name(name, l), s))
    return out


def layer_params(p, cell, l, I, H):
    """Layer l's tensors of p under layer 0's names."""
    return {name: p[name if l == 0 else layer_name(name, l)]
            for name, _ in layer_shapes(cell, I if l == 0 else H, H)}


def run_stack_torch(cell, p, x, h0, I, H, L):
    """The explicit cells, layer after layer, in torch (autograd)."""
    inp = x
    hn = []
    for l in range(L):
        q = layer_params(p, cell, l, I, H)
        if cell == "gru-cho":
            out, h, _ = G1.run_gru_cho(q, inp, h0[l])
        elif cell == "seed":
            out, h, _ = G1.run_seed(q, inp, h0[l])
        elif cell == "mgu":
            out = GM.forward_torch(q, inp, h0[l])
            h = out[-1]
        elif cell == "gru":
            out, h = G1.run_gru_explicit(q, inp, h0[l])
        else:
            raise ValueError(cell)
        hn.append(h)
        inp = out
    return inp, torch.stack(hn)


def run_mgu_numpy(p, x, h0, I, H, L):
    inp = x
    hn = []
    for l in range(L):
        q = {n: v.detach().numpy() for n, v in
             layer_params(p, "mgu", l, I, H).items()}
        out, h = GM.forward_numpy(q, inp, h0[l])
        hn.append(h)
        inp = out
    return inp, np.stack(hn)


def self_check():
    """Stacking the explicit GRU by hand is nn.GRU(num_layers=3)."""
    g = torch.Generator().manual_seed(BASE_SEED - 1)
    T, B, I, H, L = 5, 3, 4, 6, 3
    p = {n: uniform(g, s, PARAM_SCALE)
         for n, s in param_shapes("gru", I, H, L)}
    x = uniform(g, (T, B, I), DATA_SCALE)
    h0 = uniform(g, (L, B, H), DATA_SCALE)
    mod = torch.nn.GRU(I, H, num_layers=L)
    with torch.no_grad():
        for name, value in mod.named_parameters():
            value.copy_(p[name])
    want, want_hn = mod(x, h0)
    got, got_hn = run_stack_torch("gru", p, x, h0, I, H, L)
    err = max((got - want).abs().max().item(),
              (got_hn - want_hn).abs().max().item())
    assert err < 1e-14, "hand-stacked GRU differs from nn.GRU by %g" % err


def make_one(outdir, cell, shape, seed):
    T, B, I, H, L = shape
    g = torch.Generator().manual_seed(seed)
    pshapes = param_shapes(cell, I, H, L)
    p = {name: uniform(g, s, PARAM_SCALE).requires_grad_()
         for name, s in pshapes}
    x = uniform(g, (T, B, I), DATA_SCALE).requires_grad_()
    h0 = uniform(g, (L, B, H), DATA_SCALE).requires_grad_()
    c0 = (uniform(g, (L, B, H), DATA_SCALE).requires_grad_()
          if cell == "lstm" else None)
    gout = uniform(g, (T, B, H), DATA_SCALE)

    cn = None
    if cell in MODULES:
        mod = MODULES[cell](I, H, num_layers=L)
        with torch.no_grad():
            for name, value in mod.named_parameters():
                value.copy_(p[name])
        q = dict(mod.named_parameters())
        if c0 is None:
            out, hn = mod(x, h0)
        else:
            out, (hn, cn) = mod(x, (h0, c0))
        leaves_p = [q[n] for n, _ in pshapes]
    else:
        out, hn = run_stack_torch(cell, p, x, h0, I, H, L)
        leaves_p = [p[n] for n, _ in pshapes]
    if cell == "mgu":
        # the expected forward is NumPy's; torch's must agree
        nout, nhn = run_mgu_numpy(p, x.detach().numpy(), h0.detach().numpy(),
                                  I, H, L)
        err = np.abs(out.detach().numpy() - nout).max()
        assert err < 1e-14, "torch's stacked MGU differs from NumPy's by %g" % err
        out_w, hn_w = torch.tensor(nout), torch.tensor(nhn)
    else:
        out_w, hn_w = out, hn
    loss = (gout * out).sum()
    leaves = leaves_p + [x, h0] + ([c0] if c0 is not None else [])
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    grads = [torch.zeros_like(l) if d is None else d
             for l, d in zip(leaves, grads)]

    path = os.path.join(outdir, "golden-%s-T%dB%dI%dH%dL%d.txt"
                        % ((cell,) + shape))
    with open(path, "w") as f:
        f.write("# Golden vectors for grulab's '%s' cell, %d stacked layers, "
                "T=%d B=%d I=%d H=%d.\n" % (cell, L, T, B, I, H))
        f.write("# Generated by tests/reference/make-golden-layers.py with "
                "torch %s%s,\n# float64, torch.Generator seed %d.  Do not "
                "edit: rerun the script.\n"
                % (torch.__version__, " and NumPy %s" % np.__version__
                   if cell == "mgu" else "", seed))
        f.write("# L = sum(grad_output * output); grad_X = dL/dX.\n")
        f.write("\n# ---- parameters\n")
        for name, _ in pshapes:
            G1.write_tensor(f, name, p[name])
        f.write("\n# ---- data\n")
        G1.write_tensor(f, "input", x)
        G1.write_tensor(f, "h0", h0)
        if c0 is not None:
            G1.write_tensor(f, "c0", c0)
        G1.write_tensor(f, "grad_output", gout)
        f.write("\n# ---- expected forward\n")
        G1.write_tensor(f, "output", out_w)
        G1.write_tensor(f, "h_n", hn_w)
        if cn is not None:
            G1.write_tensor(f, "c_n", cn)
        f.write("\n# ---- expected gradients\n")
        names = ["grad_" + n for n, _ in pshapes] + ["grad_input", "grad_h0"]
        if c0 is not None:
            names.append("grad_c0")
        for name, d in zip(names, grads):
            G1.write_tensor(f, name, d)
    return path


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "data")
    os.makedirs(outdir, exist_ok=True)
    self_check()
    k = 0
    for cell in CELLS:
        for shape in SHAPES:
            path = make_one(outdir, cell, shape, BASE_SEED + k)
            print(os.path.relpath(path))
            k += 1


if __name__ == "__main__":
    main()
