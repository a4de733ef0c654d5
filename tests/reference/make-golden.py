#!/usr/bin/python3
"""make-golden.py -- golden vectors for grulab's five cells, from PyTorch.

    /usr/bin/python3 tests/reference/make-golden.py [OUTDIR]

writes OUTDIR/golden-CELL-TtBbIiHh.txt (OUTDIR defaults to tests/data beside
this script's parent) for every cell and shape below.  Everything is float64
and every random draw comes from a torch.Generator with a fixed seed, so a
rerun rewrites identical files.  The test suite reads these files; it never
needs torch.

Cells:
  gru      torch.nn.GRU (reset-after, gate blocks r, z, n)
  gru-cho  explicit torch code with gru's parameters and r, z; only
           n = tanh(W_in x + b_in + W_hn (r*h) + b_hn) differs (reset-before)
  rnn      torch.nn.RNN, tanh
  lstm     torch.nn.LSTM (gate blocks i, f, g, o)
  seed     explicit torch code, the article's cell: v = [h_{t-1}; x_t],
           f, i, o = sigmoid(W v + b), h_t = f*h_{t-1} + i*tanh(W_c v + b_c);
           o is computed and read by nothing, so its gradient is zero.

Each file holds, in the named-tensor text format (one row of the last
dimension per line):
  the parameters under their state_dict names (seed: weight_f, bias_f, ...),
  input (T,B,I), h0 (B,H), c0 (B,H) for lstm, grad_output (T,B,H),
  output (T,B,H), h_n (B,H), c_n (B,H) for lstm, and the gradients of
  L = sum(grad_output * output): grad_<param>, grad_input, grad_h0, grad_c0.
"""
import os
import sys

import torch

torch.set_default_dtype(torch.float64)

# (T, B, I, H): the degenerate 1x1x1x1, non-square odd shapes, and T >= 20.
SHAPES = [(1, 1, 1, 1), (7, 3, 5, 4), (23, 2, 3, 6)]
CELLS = ["gru", "gru-cho", "rnn", "lstm", "seed"]
BASE_SEED = 20240611
PARAM_SCALE = 0.9   # parameters ~ U(-0.9, 0.9): gates well away from 0.5
DATA_SCALE = 1.3    # input, h0, c0, grad_output ~ U(-1.3, 1.3)


def uniform(g, shape, scale):
    return (torch.rand(shape, generator=g) * 2.0 - 1.0) * scale


# ---- the cells: parameter list, and a forward over a whole sequence -----

def gate_count(cell):
    return {"gru": 3, "gru-cho": 3, "rnn": 1, "lstm": 4}[cell]


def param_shapes(cell, I, H):
    if cell == "seed":
        shapes = []
        for gate in "fioc":
            shapes += [("weight_" + gate, (H, H + I)), ("bias_" + gate, (H,))]
        return shapes
    G = gate_count(cell)
    return [("weight_ih_l0", (G * H, I)), ("weight_hh_l0", (G * H, H)),
            ("bias_ih_l0", (G * H,)), ("bias_hh_l0", (G * H,))]


def torch_module(module_cls, p, I, H):
    """An nn.GRU/RNN/LSTM whose parameters hold p's values; p's entries are
    replaced by the module's own parameters, so autograd reaches them."""
    mod = module_cls(I, H)
    with torch.no_grad():
        for name, value in mod.named_parameters():
            value.copy_(p[name])
    p.update(dict(mod.named_parameters()))
    return mod


def run_module(mod, x, h0, c0):
    if c0 is None:
        out, hn = mod(x, h0.unsqueeze(0))
        return out, hn[0], None
    out, (hn, cn) = mod(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    return out, hn[0], cn[0]


def run_gru_cho(p, x, h0):
    # Same parameters and the same r, z as nn.GRU; gate blocks r, z, n.
    W_ir, W_iz, W_in = p["weight_ih_l0"].chunk(3, 0)
    W_hr, W_hz, W_hn = p["weight_hh_l0"].chunk(3, 0)
    b_ir, b_iz, b_in = p["bias_ih_l0"].chunk(3, 0)
    b_hr, b_hz, b_hn = p["bias_hh_l0"].chunk(3, 0)
    h = h0
    outs = []
    for t in range(x.shape[0]):
        xt = x[t]
        r = torch.sigmoid(xt @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = torch.sigmoid(xt @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = torch.tanh(xt @ W_in.T + b_in + (r * h) @ W_hn.T + b_hn)
        h = (1 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h, None


def run_gru_explicit(p, x, h0):
    # nn.GRU written out (reset-after); used only to check run_gru_cho's
    # reading of the parameter blocks against torch's own module.
    W_ir, W_iz, W_in = p["weight_ih_l0"].chunk(3, 0)
    W_hr, W_hz, W_hn = p["weight_hh_l0"].chunk(3, 0)
    b_ir, b_iz, b_in = p["bias_ih_l0"].chunk(3, 0)
    b_hr, b_hz, b_hn = p["bias_hh_l0"].chunk(3, 0)
    h = h0
    outs = []
    for t in range(x.shape[0]):
        xt = x[t]
        r = torch.sigmoid(xt @ W_ir.T + b_ir + h @ W_hr.T + b_hr)
        z = torch.sigmoid(xt @ W_iz.T + b_iz + h @ W_hz.T + b_hz)
        n = torch.tanh(xt @ W_in.T + b_in + r * (h @ W_hn.T + b_hn))
        h = (1 - z) * n + z * h
        outs.append(h)
    return torch.stack(outs), h


def self_check():
    """The explicit code reads gate blocks exactly as nn.GRU does."""
    g = torch.Generator().manual_seed(BASE_SEED - 1)
    T, B, I, H = 5, 3, 4, 6
    p = {n: uniform(g, s, PARAM_SCALE) for n, s in param_shapes("gru", I, H)}
    x = uniform(g, (T, B, I), DATA_SCALE)
    h0 = uniform(g, (B, H), DATA_SCALE)
    want, _, _ = run_cell("gru", dict(p), x, h0, None, I, H)
    got, _ = run_gru_explicit(p, x, h0)
    err = (got - want).abs().max().item()
    assert err < 1e-14, "explicit GRU differs from nn.GRU by %g" % err


def run_seed(p, x, h0):
    # v = [h_{t-1}; x_t], h first; o is computed and never read.
    h = h0
    outs = []
    for t in range(x.shape[0]):
        v = torch.cat([h, x[t]], dim=1)
        f = torch.sigmoid(v @ p["weight_f"].T + p["bias_f"])
        i = torch.sigmoid(v @ p["weight_i"].T + p["bias_i"])
        o = torch.sigmoid(v @ p["weight_o"].T + p["bias_o"])  # noqa: F841
        h = f * h + i * torch.tanh(v @ p["weight_c"].T + p["bias_c"])
        outs.append(h)
    return torch.stack(outs), h, None


MODULES = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}


def run_cell(cell, p, x, h0, c0, I, H):
    """Forward over the sequence; for nn modules p is rebound in place."""
    if cell in MODULES:
        return run_module(torch_module(MODULES[cell], p, I, H), x, h0, c0)
    if cell == "gru-cho":
        return run_gru_cho(p, x, h0)
    if cell == "seed":
        return run_seed(p, x, h0)
    raise ValueError(cell)


# ---- the named-tensor text format ---------------------------------------

def write_tensor(f, name, t):
    t = t.detach()
    f.write("%s %s\n" % (name, " ".join(str(d) for d in t.shape)))
    rows = t.reshape(-1, t.shape[-1]).tolist()
    for row in rows:
        f.write(" ".join(repr(float(v)) for v in row) + "\n")


def make_one(outdir, cell, shape, seed):
    T, B, I, H = shape
    g = torch.Generator().manual_seed(seed)
    pshapes = param_shapes(cell, I, H)
    p = {name: uniform(g, s, PARAM_SCALE).requires_grad_()
         for name, s in pshapes}
    x = uniform(g, (T, B, I), DATA_SCALE).requires_grad_()
    h0 = uniform(g, (B, H), DATA_SCALE).requires_grad_()
    c0 = (uniform(g, (B, H), DATA_SCALE).requires_grad_()
          if cell == "lstm" else None)
    gout = uniform(g, (T, B, H), DATA_SCALE)

    out, hn, cn = run_cell(cell, p, x, h0, c0, I, H)
    loss = (gout * out).sum()
    leaves = [p[n] for n, _ in pshapes] + [x, h0] + ([c0] if c0 is not None else [])
    grads = torch.autograd.grad(loss, leaves, allow_unused=True)
    grads = [torch.zeros_like(l) if d is None else d
             for l, d in zip(leaves, grads)]

    path = os.path.join(outdir, "golden-%s-T%dB%dI%dH%d.txt" % ((cell,) + shape))
    with open(path, "w") as f:
        f.write("# Golden vectors for grulab's '%s' cell, T=%d B=%d I=%d H=%d.\n"
                % ((cell,) + shape))
        f.write("# Generated by tests/reference/make-golden.py with torch %s,\n"
                "# float64, torch.Generator seed %d.  Do not edit: rerun the script.\n"
                % (torch.__version__, seed))
        f.write("# L = sum(grad_output * output); grad_X = dL/dX.\n")
        if cell == "seed":
            f.write("# weight_o, bias_o feed o, which nothing reads: their "
                    "gradients are exactly zero.\n")
        f.write("\n# ---- parameters\n")
        for name, _ in pshapes:
            write_tensor(f, name, p[name])
        f.write("\n# ---- data\n")
        write_tensor(f, "input", x)
        write_tensor(f, "h0", h0)
        if c0 is not None:
            write_tensor(f, "c0", c0)
        write_tensor(f, "grad_output", gout)
        f.write("\n# ---- expected forward\n")
        write_tensor(f, "output", out)
        write_tensor(f, "h_n", hn)
        if cn is not None:
            write_tensor(f, "c_n", cn)
        f.write("\n# ---- expected gradients\n")
        names = ["grad_" + n for n, _ in pshapes] + ["grad_input", "grad_h0"]
        if c0 is not None:
            names.append("grad_c0")
        for name, d in zip(names, grads):
            write_tensor(f, name, d)
    return path


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "..", "data")
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
