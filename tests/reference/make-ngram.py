#!/usr/bin/python3
"""make-ngram.py -- golden values for grulab's n-gram ladder (src/lib/ngram.c):
interpolated Witten-Bell n-grams of orders 1..8, written independently here
with Python dictionaries (no sorting, no packed keys), after Chen and
Goodman (1998), section 2.6:

    p_0(w)     = 1 / V
    p_k(w | h) = (c(h w) + N1+(h .) p_{k-1}(w | h')) / (c(h) + N1+(h .))
    p_k(w | h) = p_{k-1}(w | h')            when h was never followed in training

    /usr/bin/python3 tests/reference/make-ngram.py [OUTFILE]

writes (OUTFILE defaults to tests/data/ngram-wb.txt), in the named-tensor
text format:
  V 1, ntrain 1       the vocabulary size and the training split's length
  ids N               a text of N ids from a random order-2 Markov source
                      (random.Random(2016), so a rerun writes the same file)
  bpc 8               orders 1..8 fitted on ids[:ntrain], scored on every
                      validation id after the first, the context being the
                      validation ids before it (at most k-1)
  pos S               validation positions i whose distributions follow
  p (S*8, V)          row s*8 + k-1: p_k(w | context before pos[s]) for
                      every w, the context cut as for bpc
The test (tests/lib/text.c) reads the file; it never runs Python.
"""
import math
import os
import random
import sys

V, N, NTRAIN, ORDER = 6, 3000, 2700, 8
POS = [NTRAIN + 1, NTRAIN + 2, NTRAIN + 4, NTRAIN + 9, NTRAIN + 150, N - 1]


def make_text():
    rnd = random.Random(2016)
    # a peaked next-id table for every pair of previous ids
    table = {}
    for a in range(V):
        for b in range(V):
            weights = [rnd.random() ** 4 for _ in range(V)]
            table[(a, b)] = weights
    ids = [0, 1]
    while len(ids) < N:
        w = table[(ids[-2], ids[-1])]
        ids.append(rnd.choices(range(V), weights=w)[0])
    return ids


def fit(train):
    """count[k][(h, w)], ctx[k][h] = c(h), types[k][h] = N1+(h .)"""
    count = [dict() for _ in range(ORDER + 1)]
    for k in range(1, ORDER + 1):
        for i in range(len(train) - k + 1):
            gram = tuple(train[i:i + k])
            count[k][gram] = count[k].get(gram, 0) + 1
    ctx = [dict() for _ in range(ORDER + 1)]
    types = [dict() for _ in range(ORDER + 1)]
    for k in range(1, ORDER + 1):
        for gram, c in count[k].items():
            h = gram[:-1]
            ctx[k][h] = ctx[k].get(h, 0) + c
            types[k][h] = types[k].get(h, 0) + 1
    return count, ctx, types


def prob(model, h, w, k):
    """p_k(w | h), h a tuple of at most k-1 ids (the most recent last)"""
    count, ctx, types = model
    if k == 0:
        return 1.0 / V
    if len(h) < k - 1:            # a short context: back off
        return prob(model, h, w, k - 1)
    hk = tuple(h[len(h) - (k - 1):]) if k > 1 else ()
    below = prob(model, hk[1:] if k > 1 else (), w, k - 1)
    ch = ctx[k].get(hk, 0)
    if ch == 0:
        return below
    t = types[k][hk]
    return (count[k].get(hk + (w,), 0) + t * below) / (ch + t)


def context(ids, i, k):
    lo = max(NTRAIN, i - (k - 1))
    return tuple(ids[lo:i])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "ngram-wb.txt")
    ids = make_text()
    model = fit(ids[:NTRAIN])
    bpc = []
    for k in range(1, ORDER + 1):
        s = 0.0
        for i in range(NTRAIN + 1, N):
            s -= math.log2(prob(model, context(ids, i, k), ids[i], k))
        bpc.append(s / (N - NTRAIN - 1))
    with open(out, "w") as f:
        def put(name, dims, rows):
            f.write("%s %s\n" % (name, " ".join(str(d) for d in dims)))
            for row in rows:
                f.write(" ".join(repr(float(v)) for v in row) + "\n")
        put("V", [1], [[V]])
        put("ntrain", [1], [[NTRAIN]])
        put("ids", [N], [ids])
        put("bpc", [ORDER], [bpc])
        put("pos", [len(POS)], [POS])
        rows = []
        for i in POS:
            for k in range(1, ORDER + 1):
                rows.append([prob(model, context(ids, i, k), w, k) for w in range(V)])
        put("p", [len(POS) * ORDER, V], rows)


if __name__ == "__main__":
    main()
