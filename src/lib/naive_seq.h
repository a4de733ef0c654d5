/* naive_seq.h -- the naive reference over a whole sequence, one row at a
 * time, with the cell's naive step; compiled for double (naive_double.c)
 * and for double _Complex (naive_complex.c) after naive_scalar.h.  Not
 * installed. */
#include <stdlib.h>
#include <string.h>

static int NAIVE(forward_one)(const grl_model *m, size_t T, size_t B,
                              const SCALAR *theta, const SCALAR *x,
                              const SCALAR *h0, const SCALAR *c0, SCALAR *out,
                              SCALAR *hT, SCALAR *cT, SCALAR *gates);

/* Stacked layers: layer by layer, each layer's output the next one's x;
 * h0, c0, hT, cT (L, B, H); gates are layer 0's. */
int NAIVE(forward)(const grl_model *m, size_t T, size_t B,
                           const SCALAR *theta, const SCALAR *x,
                           const SCALAR *h0, const SCALAR *c0, SCALAR *out,
                           SCALAR *hT, SCALAR *cT, SCALAR *gates)
{
  const size_t L = m->layers ? m->layers : 1, H = m->hidden_size,
               BH = B * H;
  if (L == 1)
    return NAIVE(forward_one)(m, T, B, theta, x, h0, c0, out, hT, cT, gates);
  /* two layers' output sequences, alternately */
  SCALAR *seq = malloc(2 * T * BH * sizeof *seq);
  if (!seq)
    return grl_fail(GRL_ENOMEM, "naive forward: out of memory (T=%zu, B=%zu, "
                    "H=%zu)", T, B, H);
  int st = GRL_OK;
  const SCALAR *in = x;
  for (size_t l = 0; l < L && !st; l++) {
    size_t off;
    const grl_model *ml = grl_model_layer(m, l, &off);
    SCALAR *o = (l == L - 1 && out) ? out : seq + (l % 2) * T * BH;
    st = NAIVE(forward_one)(ml, T, B, theta + off, in,
                            h0 ? h0 + l * BH : NULL, c0 ? c0 + l * BH : NULL,
                            o, hT ? hT + l * BH : NULL,
                            cT ? cT + l * BH : NULL, l ? NULL : gates);
    in = o;
  }
  free(seq);
  return st;
}

static int NAIVE(forward_one)(const grl_model *m, size_t T, size_t B,
                              const SCALAR *theta, const SCALAR *x,
                              const SCALAR *h0, const SCALAR *c0, SCALAR *out,
                              SCALAR *hT, SCALAR *cT, SCALAR *gates)
{
  const grl_cell *cell = m->cell;
  size_t I = m->input_size, H = m->hidden_size;
  size_t NG = cell->ngate ? cell->ngate * H : H;
  /* h, c, their next values, and a gate row: allocated once, not per step. */
  SCALAR *buf = malloc((4 * H + NG) * sizeof *buf);
  if (!buf)
    return grl_fail(GRL_ENOMEM, "naive forward: out of memory (H=%zu)", H);
  SCALAR *h = buf, *hn = buf + H, *c = buf + 2 * H, *cn = buf + 3 * H;
  SCALAR *g = buf + 4 * H;
  for (size_t b = 0; b < B; b++) {
    for (size_t j = 0; j < H; j++) {
      h[j] = h0 ? h0[b * H + j] : 0;
      c[j] = c0 ? c0[b * H + j] : 0;
    }
    for (size_t t = 0; t < T; t++) {
      size_t row = t * B + b;
      SCALAR *gr = gates ? gates + row * NG : g;
      NAIVE_STEP(cell)(m, theta, x + row * I, h, c, hn, cn, gr);
      memcpy(h, hn, H * sizeof *h);
      memcpy(c, cn, H * sizeof *c);
      if (out)
        memcpy(out + row * H, h, H * sizeof *h);
    }
    if (hT)
      memcpy(hT + b * H, h, H * sizeof *h);
    if (cT && cell->has_c)
      memcpy(cT + b * H, c, H * sizeof *c);
  }
  free(buf);
  return GRL_OK;
}
