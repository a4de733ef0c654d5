#!/usr/bin/python3
"""make-ngram.py -- golden values for grulab's n-gram ladder (src/lib/ngram.c):
interpolated Witten-Bell n-grams of orders 1..8, written independently here
with Python dictionaries (no sorting, no packed keys), after Chen and
Goodman (1998), section 2.6:

    p_0(w)     = 1 / V
    p_k(w | h) = (c(h w) + N1+(h .) p_{k-1}(w | h')) / (c(h) + N1+(h .))
    p_k(w | h) = p_{k-1}(w | h')            when h was never followed in training

and interpolated Kneser-Ney (Chen and Goodman 1998, section 2.7; one
discount D = n1 / (n1 + 2 n2) per order and kind of count):

    q_0(w)        = 1 / V
    q_k(w | h)    = (max(N1+(. h w) - D'_k, 0) + D'_k N1+(h .) q_{k-1}(w | h')) / S(h)
                    S(h) = sum_w N1+(. h w); q_{k-1}(w | h') when S(h) = 0
    p^KN_n(w | h) = (max(c(h w) - D_n, 0) + D_n N1+(h .) q_{n-1}(w | h')) / c(h)
                    q_{n-1}(w | h') when c(h) = 0

the continuation count N1+(. g) being the number of distinct ids seen just
before g in training.

    /usr/bin/python3 tests/reference/make-ngram.py [OUTDIR]

writes OUTDIR/ngram-wb.txt and OUTDIR/ngram-kn.txt (OUTDIR defaults to
tests/data), in the named-tensor text format; ngram-wb.txt holds:
  V 1, ntrain 1       the vocabulary size and the training split's length
  ids N               a text of N ids from a random order-2 Markov source
                      (random.Random(2016), so a rerun writes the same file)
  bpc 8               orders 1..8 fitted on ids[:ntrain], scored on every
                      validation id after the first, the context being the
                      validation ids before it (at most k-1)
  pos S               validation positions i whose distributions follow
  p (S*8, V)          row s*8 + k-1: p_k(w | context before pos[s]) for
                      every w, the context cut as for bpc
ngram-kn.txt holds the same tensors for Kneser-Ney, the same text; with a
context shorter than k-1 ids, order k uses the order-(len+1) model.
The test (tests/lib/text.c) reads the files; it never runs Python.
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


def fit_kn(train):
    """raw[k][g] = c(g); cont[k][g] = N1+(. g) (k < ORDER); the discounts"""
    raw = [dict() for _ in range(ORDER + 1)]
    for k in range(1, ORDER + 1):
        for i in range(len(train) - k + 1):
            gram = tuple(train[i:i + k])
            raw[k][gram] = raw[k].get(gram, 0) + 1
    cont = [dict() for _ in range(ORDER + 1)]
    for k in range(1, ORDER):
        left = {}
        for gram in raw[k + 1]:
            left.setdefault(gram[1:], set()).add(gram[0])
        cont[k] = {g: len(s) for g, s in left.items()}

    def disc(counts):
        n1 = sum(1 for c in counts.values() if c == 1)
        n2 = sum(1 for c in counts.values() if c == 2)
        return n1 / (n1 + 2 * n2) if n1 + n2 else 0.0

    def sums(counts):
        tot, typ = {}, {}
        for g, c in counts.items():
            tot[g[:-1]] = tot.get(g[:-1], 0) + c
            typ[g[:-1]] = typ.get(g[:-1], 0) + 1
        return tot, typ
    levels = {}
    for k in range(1, ORDER + 1):
        levels[("raw", k)] = (raw[k], disc(raw[k])) + sums(raw[k])
        if k < ORDER:
            levels[("cont", k)] = (cont[k], disc(cont[k])) + sums(cont[k])
    return levels


def prob_kn(levels, h, w, n):
    """p^KN_n(w | h), h a tuple of at most n-1 ids (the most recent last)"""
    if len(h) < n - 1:
        return prob_kn(levels, h, w, len(h) + 1)

    def level(kind, k, below):
        counts, D, tot, typ = levels[(kind, k)]
        hk = tuple(h[len(h) - (k - 1):]) if k > 1 else ()
        s = tot.get(hk, 0)
        if s == 0:
            return below
        return (max(counts.get(hk + (w,), 0) - D, 0.0) + D * typ[hk] * below) / s
    q = 1.0 / V
    for k in range(1, n):
        q = level("cont", k, q)
    return level("raw", n, q)


def context(ids, i, k):
    lo = max(NTRAIN, i - (k - 1))
    return tuple(ids[lo:i])


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data")
    out = os.path.join(outdir, "ngram-wb.txt")
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
    levels = fit_kn(ids[:NTRAIN])
    bpc = []
    for k in range(1, ORDER + 1):
        s = 0.0
        for i in range(NTRAIN + 1, N):
            s -= math.log2(prob_kn(levels, context(ids, i, k), ids[i], k))
        bpc.append(s / (N - NTRAIN - 1))
    with open(os.path.join(outdir, "ngram-kn.txt"), "w") as f:
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
                rows.append([prob_kn(levels, context(ids, i, k), w, k) for w in range(V)])
        put("p", [len(POS) * ORDER, V], rows)


if __name__ == "__main__":
    main()
