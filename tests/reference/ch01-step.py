#!/usr/bin/env python3
"""ch01-step.py -- the known values of chapter 1's hand-worked GRU step.

Runs one step of PyTorch's nn.GRU (float64, reset-after) on the 2-unit cell
whose weights chapters/ch01-gates.c spells out, and prints r, z, n and h'
with 17 significant digits: the numbers the chapter prints as "known".

    python3 tests/reference/ch01-step.py

nn.GRU does not return its gates, so r, z and n are recomputed from its
parameters with torch's own sigmoid and tanh; h' is nn.GRU's output.
"""
import torch

W_ih = [[0.385, -0.731], [-0.219, 0.463],    # W_ir
        [0.647, 0.128], [-0.532, -0.874],    # W_iz
        [1.093, -0.406], [0.271, 0.758]]     # W_in
W_hh = [[0.512, -0.294], [0.367, 0.845],     # W_hr
        [-0.623, 0.411], [0.158, -0.276],    # W_hz
        [0.934, -0.517], [-0.482, 0.691]]    # W_hn
b_ih = [0.117, -0.243, 0.352, -0.085, 0.064, -0.198]
b_hh = [-0.091, 0.176, 0.229, 0.143, -0.137, 0.258]
x = [0.83, -1.27]
h = [0.412, -0.356]

f64 = torch.float64
gru = torch.nn.GRU(2, 2, dtype=f64)
with torch.no_grad():
    gru.weight_ih_l0.copy_(torch.tensor(W_ih, dtype=f64))
    gru.weight_hh_l0.copy_(torch.tensor(W_hh, dtype=f64))
    gru.bias_ih_l0.copy_(torch.tensor(b_ih, dtype=f64))
    gru.bias_hh_l0.copy_(torch.tensor(b_hh, dtype=f64))
    X = torch.tensor(x, dtype=f64)
    Hp = torch.tensor(h, dtype=f64)
    out, _ = gru(X.view(1, 1, 2), Hp.view(1, 1, 2))
    gi = gru.weight_ih_l0 @ X + gru.bias_ih_l0      # (3H) r z n blocks
    gh = gru.weight_hh_l0 @ Hp + gru.bias_hh_l0
    r = torch.sigmoid(gi[0:2] + gh[0:2])
    z = torch.sigmoid(gi[2:4] + gh[2:4])
    n = torch.tanh(gi[4:6] + r * gh[4:6])
    print("torch", torch.__version__)
    for name, v in (("r", r), ("z", z), ("n", n), ("h'", out.view(2))):
        print(name, " ".join("%.17g" % float(e) for e in v))
