"""torch-roundtrip.py -- python/grulab_torch.py both ways, as TAP.

Run by tests/lib/torch-roundtrip.sh with a python3 that has torch:
  1. grulab -> torch -> grulab: every cell's `grulab init` file, of one
     layer and of two stacked layers (--layers 2), and a text model from
     `grulab train --save` (readout and vocabulary), read into torch and
     written back are the same bytes.
  2. torch -> grulab -> torch: nn.GRU, nn.RNN, nn.LSTM with a readout
     nn.Linear (and a vocabulary), num_layers 1 and 2, saved and loaded,
     every tensor equal (torch.equal: the same float64 bits).
  3. grulab's forward of the saved file (no --cell, no --layers: the record
     names them) equals torch's forward on the same input and h0 (c0),
     (L, B, H) for L = 2, float64, to 1e-13 in absolute terms: output and
     h_n (c_n is not compared); the largest difference is printed.
"""
import os
import subprocess
import sys
import tempfile

import torch

sys.path.insert(0, os.path.join(os.environ["top_srcdir"], "python"))
import grulab_torch as gt  # noqa: E402

GRULAB = os.environ["GRULAB"]
TMP = tempfile.mkdtemp(prefix="grulab-torch.")
CELLS = ["gru", "gru-cho", "rnn", "lstm", "mgu", "seed"]
TOL = 1e-13
n = 0
failed = 0


def ok(cond, name, *diag):
    global n, failed
    n += 1
    print(("ok" if cond else "not ok") + f" {n} - {name}")
    if not cond:
        failed += 1
        for d in diag:
            print("# " + str(d).replace("\n", "\n# "))


def grulab(*args):
    r = subprocess.run([GRULAB, *args], capture_output=True, text=True)
    return r.returncode, r.stdout, r.stderr


def path(name):
    return os.path.join(TMP, name)


def same_bytes(a, b):
    with open(a, "rb") as fa, open(b, "rb") as fb:
        return fa.read() == fb.read()


LAYERS = [1, 2]
print(f"1..{len(CELLS) * len(LAYERS) + 1 + 3 * 3 * len(LAYERS) + 2}")

# ---- 1. grulab -> torch -> grulab: the same bytes --------------------------
for L, cell in [(L, c) for L in LAYERS for c in CELLS]:
    a, b = path(f"{cell}.L{L}.params"), path(f"{cell}.L{L}.again")
    rc, out, err = grulab("init", "--cell", cell, "--input-size", "3",
                          "--hidden-size", "5", "--layers", str(L),
                          "--seed", "7")
    with open(a, "w") as f:
        f.write(out)
    m = gt.load(a)
    gt.save_model(b, m)
    layers = m.rnn.num_layers if m.rnn else gt.count_layers(m.state_dict, cell)
    ok(rc == 0 and same_bytes(a, b) and layers == L
       and m.record["num_layers"] == L,
       f"grulab -> torch -> grulab: {cell} init file of {L} layer"
       f"{'s' if L > 1 else ''}, the same bytes"
       f" ({'nn.' + type(m.rnn).__name__ if m.rnn else 'state_dict only'}"
       f", num_layers={layers})", err)

text = path("t.txt")
with open(text, "w") as f:
    f.write("".join("abcab" + "def"[i % 3] + "\n" * (i % 7 == 0)
                    for i in range(500)))
a, b = path("text.params"), path("text.again")
rc, out, err = grulab("train", "--task", "text", "--text", text, "--steps",
                      "3", "--hidden-size", "6", "--bptt", "8", "--batch",
                      "2", "--save", a)
m = gt.load(a)
gt.save_model(b, m)
ok(rc == 0 and same_bytes(a, b) and m.vocabulary == b"\nabcdef"
   and isinstance(m.readout, torch.nn.Linear) and m.readout.out_features == 7,
   "grulab -> torch -> grulab: a text model (nn.GRU, readout nn.Linear(6, 7), "
   f"vocabulary {m.vocabulary!r}), the same bytes", err)

# ---- 2 and 3: torch -> grulab -> torch, and the forwards -------------------
T, B, I, H, O = 6, 2, 3, 5, 4
for L, cell in [(L, c) for L in LAYERS for c in ["gru", "rnn", "lstm"]]:
    torch.manual_seed(2026)
    rnn = gt.MODULES[cell](I, H, num_layers=L, dtype=torch.float64)
    head = torch.nn.Linear(H, O, dtype=torch.float64)
    p = path(f"{cell}.L{L}.torch.params")
    gt.save(p, rnn, readout=head)
    m = gt.load(p)
    same = all(torch.equal(x, y) for x, y in
               zip(list(rnn.state_dict().values()) + [head.weight, head.bias],
                   list(m.rnn.state_dict().values()) + [m.readout.weight,
                                                        m.readout.bias]))
    ok(same and type(m.rnn) is type(rnn) and m.cell == cell
       and m.rnn.num_layers == L and len(m.rnn.state_dict()) == 4 * L,
       f"torch -> grulab -> torch: nn.{type(rnn).__name__}({I}, {H}, "
       f"num_layers={L}) and nn.Linear({H}, {O}), every tensor bit for bit")

    x = torch.randn(T, B, I, dtype=torch.float64)
    h0 = torch.randn(L, B, H, dtype=torch.float64)
    c0 = torch.randn(L, B, H, dtype=torch.float64)
    # grulab's states: (B, H) for one layer, (L, B, H) for a stack
    data = {"input": x, "h0": h0[0] if L == 1 else h0}
    if cell == "lstm":
        data["c0"] = c0[0] if L == 1 else c0
    d = path(f"{cell}.L{L}.data")
    with open(d, "w") as f:
        gt.write_tensors(f, data)
    rc, out, err = grulab("forward", "--params", p, "--data", d)
    got = {}
    if rc == 0:
        with open(path("fwd"), "w") as f:
            f.write(out)
        _, got = gt.read_tensors(path("fwd"))
    with torch.no_grad():
        want, hn = rnn(x, (h0, c0) if cell == "lstm" else h0)
    if cell == "lstm":
        hn = hn[0]
    ok(rc == 0 and not err, f"{cell}, {L} layer{'s' if L > 1 else ''}: "
       "grulab forward reads torch's file without --cell", err)
    want_hn = hn[0] if L == 1 else hn
    shapes = got and got["h_n"].shape == want_hn.shape
    diff = max((got["output"] - want).abs().max().item(),
               (got["h_n"] - want_hn).abs().max().item()) if shapes \
        else float("inf")
    ok(diff <= TOL, f"{cell}, num_layers={L}: grulab's forward equals "
       f"torch's, T={T} B={B}, h_n {tuple(want_hn.shape)}: largest "
       f"difference {diff:.3g} (<= {TOL:g})",
       *([] if shapes else [f"h_n shapes: grulab "
                            f"{tuple(got['h_n'].shape) if got else None}, "
                            f"torch {tuple(want_hn.shape)}"]))

# ---- a text model made in torch: grulab samples from it --------------------
torch.manual_seed(7)
vocab = b"\n abc"
V = len(vocab)
rnn = torch.nn.GRU(V, 8, dtype=torch.float64)
head = torch.nn.Linear(8, V, dtype=torch.float64)
p = path("torch-text.params")
gt.save(p, rnn, readout=head, vocabulary=vocab)
m = gt.load(p)
ok(m.vocabulary == vocab and torch.equal(m.readout.weight, head.weight),
   "torch -> grulab -> torch: a text model's vocabulary and readout")
rc, out, err = grulab("sample", "--params", p, "--bytes", "20", "--prime", "a")
ok(rc == 0 and len(out) == 21 and set(out) <= set(vocab.decode()),
   f"grulab sample reads torch's text model: {out!r}", err)

sys.exit(1 if failed else 0)
