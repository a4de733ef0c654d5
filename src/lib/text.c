/* text.c -- a character-level language model on bytes: the corpus, its
 * vocabulary and split, the counting baselines, the one-hot gather, the
 * softmax loss over every step, truncated BPTT training, exact evaluation
 * in bits per character, and sampling.  See grl_text.h. */
#include <config.h>
#include "grulab.h"

#include <errno.h>
#include <glob.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* The corpus                                                          */
/* ------------------------------------------------------------------ */

static void vocab_index(grl_vocab *v)
{
  for (int b = 0; b < 256; b++)
    v->id[b] = -1;
  for (size_t k = 0; k < v->V; k++)
    v->id[v->byte[k]] = (int)k;
}

int grl_text_from_bytes(grl_text **out, const unsigned char *bytes, size_t n,
                        const char *name)
{
  *out = NULL;
  if (!name)
    name = "text";
  if (n == 0)
    return grl_fail(GRL_EINVAL, "%s: empty", name);
  if (n < GRL_TEXT_MIN_BYTES)
    return grl_fail(GRL_EINVAL, "%s: %zu bytes; a text needs at least %d, so that its validation tenth has two",
                    name, n, GRL_TEXT_MIN_BYTES);
  /* The vocabulary: the distinct bytes, in ascending order. */
  size_t count[256] = {0};
  for (size_t i = 0; i < n; i++)
    count[bytes[i]]++;
  grl_vocab v = {0};
  for (int b = 0; b < 256; b++)
    if (count[b])
      v.byte[v.V++] = (unsigned char)b;
  if (v.V < 2)
    return grl_fail(GRL_EINVAL, "%s: only one distinct byte (0x%02x); there is nothing to predict",
                    name, bytes[0]);
  vocab_index(&v);

  grl_text *t = calloc(1, sizeof *t);
  if (!t)
    return grl_fail(GRL_ENOMEM, "%s: out of memory", name);
  t->name = strdup(name);
  t->bytes = malloc(n);
  t->ids = malloc(n);
  if (!t->name || !t->bytes || !t->ids) {
    grl_text_free(t);
    return grl_fail(GRL_ENOMEM, "%s: out of memory for %zu bytes", name, n);
  }
  memcpy(t->bytes, bytes, n);
  for (size_t i = 0; i < n; i++)
    t->ids[i] = (unsigned char)v.id[bytes[i]];
  t->n = n;
  t->vocab = v;
  /* 90/10 by position: the validation split is the last tenth. */
  t->ntrain = n - n / 10;
  *out = t;
  return GRL_OK;
}

void grl_text_free(grl_text *t)
{
  if (!t)
    return;
  free(t->name);
  free(t->bytes);
  free(t->ids);
  free(t);
}

size_t grl_text_nvalid(const grl_text *t)
{
  return t->n - t->ntrain;
}

/* Append the whole file path to *buf (size *n, capacity *cap). */
static int slurp(const char *path, unsigned char **buf, size_t *n, size_t *cap)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return grl_fail(GRL_EIO, "%s: %s", path, strerror(errno));
  for (;;) {
    if (*cap - *n < 65536) {
      size_t nc = *cap ? 2 * *cap : 1 << 20;
      unsigned char *nb = realloc(*buf, nc);
      if (!nb) {
        fclose(f);
        return grl_fail(GRL_ENOMEM, "%s: out of memory", path);
      }
      *buf = nb;
      *cap = nc;
    }
    size_t got = fread(*buf + *n, 1, *cap - *n, f);
    *n += got;
    if (got == 0)
      break;
  }
  int bad = ferror(f);
  fclose(f);
  if (bad)
    return grl_fail(GRL_EIO, "%s: read error", path);
  return GRL_OK;
}

int grl_text_read(grl_text **t, const char *path)
{
  *t = NULL;
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0;
  int st = slurp(path, &buf, &n, &cap);
  if (!st)
    st = grl_text_from_bytes(t, buf, n, path);
  free(buf);
  return st;
}

static int by_name(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int grl_text_read_glob(grl_text **t, const char *pattern)
{
  *t = NULL;
  glob_t g;
  int rc = glob(pattern, GLOB_NOSORT, NULL, &g);
  if (rc == GLOB_NOMATCH)
    return grl_fail(GRL_EIO, "%s: no file matches", pattern);
  if (rc)
    return grl_fail(GRL_EIO, "%s: cannot list the files", pattern);
  /* strcmp order, whatever the locale */
  qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, by_name);
  unsigned char *buf = NULL;
  size_t n = 0, cap = 0;
  int st = GRL_OK;
  for (size_t i = 0; i < g.gl_pathc && !st; i++)
    st = slurp(g.gl_pathv[i], &buf, &n, &cap);
  if (!st)
    st = grl_text_from_bytes(t, buf, n, pattern);
  free(buf);
  globfree(&g);
  return st;
}

int grl_vocab_write(FILE *f, const grl_vocab *v)
{
  double b[256];
  for (size_t k = 0; k < v->V; k++)
    b[k] = v->byte[k];
  size_t dims[1] = {v->V};
  return grl_tensor_write(f, "vocabulary", 1, dims, b);
}

int grl_vocab_read(grl_vocab *v, const grl_tensorfile *tf)
{
  const grl_tensor *t = grl_tensorfile_find(tf, "vocabulary");
  if (!t)
    return grl_fail(GRL_EFORMAT, "%s: no tensor 'vocabulary' (a text model's file has one)",
                    tf->path);
  if (t->ndim != 1 || t->size < 2 || t->size > 256)
    return grl_fail(GRL_EFORMAT, "%s:%ld: tensor 'vocabulary' must be a vector of 2 to 256 bytes",
                    tf->path, t->line);
  v->V = t->size;
  for (size_t k = 0; k < t->size; k++) {
    double x = t->data[k];
    if (!(x >= 0 && x <= 255 && x == floor(x)) || (k && x <= t->data[k - 1]))
      return grl_fail(GRL_EFORMAT, "%s:%ld: vocabulary entry %zu is %g; want integers 0..255 in ascending order",
                      tf->path, t->line, k, x);
    v->byte[k] = (unsigned char)x;
  }
  vocab_index(v);
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* Baselines                                                           */
/* ------------------------------------------------------------------ */

int grl_text_baselines(const grl_text *t, double *unigram, double *bigram)
{
  const size_t V = t->vocab.V, nt = t->ntrain;
  double *uni = calloc(V, sizeof *uni);         /* (V) count(b) in training  */
  double *bi = calloc(V * V, sizeof *bi);       /* (V, V) count(a b)          */
  double *from = calloc(V, sizeof *from);       /* (V) count(a .)             */
  if (!uni || !bi || !from) {
    free(uni); free(bi); free(from);
    return grl_fail(GRL_ENOMEM, "baselines: out of memory");
  }
  for (size_t i = 0; i < nt; i++)
    uni[t->ids[i]] += 1;
  for (size_t i = 1; i < nt; i++) {
    bi[t->ids[i - 1] * V + t->ids[i]] += 1;
    from[t->ids[i - 1]] += 1;
  }
  /* Score every validation byte after the first, like the network. */
  double su = 0, sb = 0;
  size_t np = 0;
  for (size_t i = nt + 1; i < t->n; i++, np++) {
    size_t a = t->ids[i - 1], b = t->ids[i];
    su -= log2((uni[b] + 1) / ((double)nt + (double)V));
    sb -= log2((bi[a * V + b] + 1) / (from[a] + (double)V));
  }
  free(uni); free(bi); free(from);
  *unigram = su / (double)np;
  *bigram = sb / (double)np;
  return GRL_OK;
}

/* The full path of program in PATH, or "" (buf has room for 4096). */
static int find_program(const char *program, char *buf, size_t size)
{
  const char *path = getenv("PATH");
  if (!path || !*path)
    path = "/usr/bin:/bin";
  while (*path) {
    size_t len = strcspn(path, ":");
    if (len && (size_t)snprintf(buf, size, "%.*s/%s", (int)len, path, program) < size
        && access(buf, X_OK) == 0)
      return 1;
    path += len + (path[len] == ':');
  }
  buf[0] = '\0';
  return 0;
}

int grl_text_compressed_bpc(const grl_text *t, const char *program,
                            double *bpc)
{
  char exe[4096];
  if (strcmp(program, "gzip") && strcmp(program, "xz"))
    return grl_fail(GRL_EINVAL, "compressed bpc: program must be gzip or xz, got '%s'", program);
  if (!find_program(program, exe, sizeof exe) || strchr(exe, '\''))
    return grl_fail(GRL_EIO, "%s: not found", program);
  const char *dir = getenv("TMPDIR");
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s/grulab-valid-XXXXXX", dir && *dir ? dir : "/tmp");
  int fd = mkstemp(tmp);
  if (fd < 0 || strchr(tmp, '\''))
    return grl_fail(GRL_EIO, "%s: cannot make a temporary file: %s", program, strerror(errno));
  const unsigned char *p = t->bytes + t->ntrain;
  size_t left = grl_text_nvalid(t);
  int st = GRL_OK;
  while (left && !st) {
    ssize_t w = write(fd, p, left);
    if (w <= 0)
      st = grl_fail(GRL_EIO, "%s: cannot write the temporary file", program);
    else {
      p += w;
      left -= (size_t)w;
    }
  }
  close(fd);
  if (!st) {
    char cmd[8400];
    snprintf(cmd, sizeof cmd, "'%s' -9 -c < '%s'", exe, tmp);
    FILE *f = popen(cmd, "r");
    if (!f) {
      st = grl_fail(GRL_EIO, "%s: cannot run it", program);
    } else {
      char buf[65536];
      size_t got, total = 0;
      while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        total += got;
      int rc = pclose(f);
      if (rc != 0 || total == 0)
        st = grl_fail(GRL_EIO, "%s -9 failed (status %d)", program, rc);
      else
        *bpc = 8.0 * (double)total / (double)grl_text_nvalid(t);
    }
  }
  unlink(tmp);
  return st;
}

/* ------------------------------------------------------------------ */
/* The one-hot input as a gather                                       */
/* ------------------------------------------------------------------ */

void grl_text_gather(const grl_model *m, const double *theta, grl_seq *s,
                     const unsigned char *ids)
{
  grl_views p;
  grl_model_bind(m, (double *)(theta ? theta : m->theta), &p);
  const size_t R = grl_seq_length(s) * grl_seq_batch(s),
               GH = m->cell->G * m->hidden_size;
  gsl_matrix *XP = grl_seq_input_proj(s);             /* (T*B, G*H) */
  const gsl_matrix *Wx = &p.Wx.matrix;                /* (G*H, V) */
  const gsl_vector *bx = &p.bx.vector;                /* (G*H)    */
  for (size_t r = 0; r < R; r++) {
    double *xp = gsl_matrix_ptr(XP, r, 0);            /* (G*H) row r */
    const double *col = Wx->data + ids[r];            /* Wx[:, id], stride tda */
    /* xp = Wx onehot(id) + bx = Wx[:, id] + bx */
    for (size_t j = 0; j < GH; j++)
      xp[j] = col[j * Wx->tda] + bx->data[j * bx->stride];
  }
}

void grl_text_scatter(const grl_model *m, double *dtheta, const grl_seq *s,
                      const unsigned char *ids)
{
  grl_views dp;
  grl_model_bind(m, dtheta, &dp);
  const size_t R = grl_seq_length(s) * grl_seq_batch(s),
               GH = m->cell->G * m->hidden_size;
  const gsl_matrix *dXP = grl_seq_dinput_proj(s);     /* (T*B, G*H) */
  gsl_matrix *dWx = &dp.Wx.matrix;                    /* (G*H, V) */
  gsl_vector *dbx = &dp.bx.vector;                    /* (G*H)    */
  for (size_t r = 0; r < R; r++) {
    const double *dxp = gsl_matrix_const_ptr(dXP, r, 0);
    double *col = dWx->data + ids[r];
    /* forward was xp = Wx[:, id] + bx, so dWx[:, id] += dxp, dbx += dxp */
    for (size_t j = 0; j < GH; j++) {
      col[j * dWx->tda] += dxp[j];
      dbx->data[j * dbx->stride] += dxp[j];
    }
  }
}

int grl_text_loss(const grl_model *m, const double *theta, grl_seq *s,
                  const unsigned char *in, const size_t *target,
                  const double *h0, const double *c0, gsl_matrix *logits,
                  double *loss, double *dtheta, gsl_matrix *dlogits,
                  gsl_matrix *dout, double *dh0, double *dc0)
{
  if (!theta)
    theta = m->theta;
  grl_text_gather(m, theta, s, in);
  int st = grl_seq_forward(s, theta, NULL, h0, m->cell->has_c ? c0 : NULL);
  if (st)
    return st;
  /* z = h Wo^T + bo for all T*B rows at once: one GEMM */
  gsl_matrix_view out = grl_seq_output(s);            /* (T*B, H) */
  grl_readout_forward(m, theta, &out.matrix, logits);
  *loss = grl_loss_xent(logits, target, dtheta ? dlogits : NULL);
  if (!dtheta)
    return GRL_OK;
  /* forward was z = h Wo^T + bo: dWo, dbo accumulate; dout = dz Wo */
  grl_readout_backward(m, theta, dtheta, &out.matrix, dlogits, dout);
  st = grl_seq_backward(s, theta, NULL, dout->data, NULL, NULL, dtheta, NULL,
                        dh0, dc0);
  if (st)
    return st;
  grl_text_scatter(m, dtheta, s, in);
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* Training                                                            */
/* ------------------------------------------------------------------ */

struct grl_text_trainer {
  grl_model *m;
  const grl_text *text;
  size_t T, B;
  size_t L;           /* predictions per stream: (ntrain - 1) / B        */
  size_t nwin;        /* whole windows per stream: L / T                 */
  size_t win;         /* the window the next step reads                  */
  size_t epoch;       /* epochs completed                                */
  grl_seq *seq;       /* (T, B)                                          */
  grl_optim *opt;
  double clip;
  volatile sig_atomic_t *stop; /* the caller's stop request, or NULL     */
  unsigned char *in;  /* (T*B) input ids, rows t*B+b                     */
  size_t *target;     /* (T*B) next-byte ids                             */
  gsl_matrix *h, *c;  /* (B, H) the carried state (c: LSTM only)         */
  gsl_matrix *logits, *dlogits; /* (T*B, V)                              */
  gsl_matrix *dout;   /* (T*B, H) dL/dh_t from the readout               */
  double *grad;       /* (n)                                             */
  double *good;       /* (n) the last theta with finite loss and grad    */
  size_t step, good_step;
  double t0;
};

int grl_text_trainer_alloc(grl_text_trainer **out, grl_model *m,
                           const grl_text *t, const grl_text_config *cfg)
{
  *out = NULL;
  const size_t V = t->vocab.V, T = cfg->T, B = cfg->B, H = m->hidden_size;
  if (m->input_size != V || m->output_size != V)
    return grl_fail(GRL_EINVAL, "text trainer: the text has %zu distinct bytes, so the model needs input size and readout outputs %zu; it has %zu and %zu",
                    V, V, m->input_size, m->output_size);
  if (T == 0 || B == 0)
    return grl_fail(GRL_EINVAL, "text trainer: window T and streams B must be positive (got T=%zu, B=%zu)", T, B);
  if (!(cfg->clip >= 0.0))
    return grl_fail(GRL_EINVAL, "clip threshold must be >= 0 (0 = off), got %g", cfg->clip);
  if (t->ntrain < 1 || (t->ntrain - 1) / B < T)
    return grl_fail(GRL_EINVAL, "%s: the training split has %zu bytes, too few for %zu streams of one window of T=%zu each (need at least %zu)",
                    t->name, t->ntrain, B, T, B * T + 1);
  grl_text_trainer *tr = calloc(1, sizeof *tr);
  if (!tr)
    return grl_fail(GRL_ENOMEM, "text trainer: out of memory");
  tr->m = m;
  tr->text = t;
  tr->T = T;
  tr->B = B;
  tr->L = (t->ntrain - 1) / B;
  tr->nwin = tr->L / T;
  tr->clip = cfg->clip;
  tr->stop = cfg->stop;
  tr->t0 = grl_seconds();
  int st;
  if ((st = grl_optim_alloc(&tr->opt, cfg->optimizer ? cfg->optimizer : "adam",
                            m->n, cfg->lr))
      || (st = grl_seq_alloc(&tr->seq, m, T, B))) {
    grl_text_trainer_free(tr);
    return st;
  }
  tr->in = malloc(T * B);
  tr->target = malloc(T * B * sizeof *tr->target);
  tr->h = gsl_matrix_calloc(B, H);
  if (m->cell->has_c)
    tr->c = gsl_matrix_calloc(B, H);
  tr->logits = gsl_matrix_alloc(T * B, V);
  tr->dlogits = gsl_matrix_alloc(T * B, V);
  tr->dout = gsl_matrix_alloc(T * B, H);
  tr->grad = malloc(m->n * sizeof *tr->grad);
  tr->good = malloc(m->n * sizeof *tr->good);
  if (!tr->in || !tr->target || !tr->h || (m->cell->has_c && !tr->c)
      || !tr->logits || !tr->dlogits || !tr->dout || !tr->grad || !tr->good) {
    grl_text_trainer_free(tr);
    return grl_fail(GRL_ENOMEM, "text trainer: out of memory for T=%zu B=%zu H=%zu V=%zu",
                    T, B, H, V);
  }
  *out = tr;
  return GRL_OK;
}

void grl_text_trainer_free(grl_text_trainer *tr)
{
  if (!tr)
    return;
  grl_seq_free(tr->seq);
  grl_optim_free(tr->opt);
  free(tr->in);
  free(tr->target);
  gsl_matrix *all[] = {tr->h, tr->c, tr->logits, tr->dlogits, tr->dout};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  free(tr->grad);
  free(tr->good);
  free(tr);
}

size_t grl_text_trainer_windows(const grl_text_trainer *tr) { return tr->nwin; }
size_t grl_text_trainer_epoch(const grl_text_trainer *tr) { return tr->epoch; }
const gsl_matrix *grl_text_trainer_h(const grl_text_trainer *tr) { return tr->h; }
const gsl_matrix *grl_text_trainer_c(const grl_text_trainer *tr) { return tr->c; }
const unsigned char *grl_text_trainer_input(const grl_text_trainer *tr) { return tr->in; }
const gsl_matrix *grl_text_trainer_states(const grl_text_trainer *tr) { return grl_seq_states(tr->seq); }

/* Stop on a non-finite value: put back the last good parameters. */
static int stop(grl_text_trainer *tr, const char *what, double value)
{
  grl_model *m = tr->m;
  if (tr->good_step) {
    memcpy(m->theta, tr->good, m->n * sizeof *m->theta);
    return grl_fail(GRL_ENONFINITE,
                    "step %zu: %s is %g; training stopped with the parameters of step %zu, the last with a finite loss and gradient (try a smaller learning rate or clip)",
                    tr->step, what, value, tr->good_step);
  }
  return grl_fail(GRL_ENONFINITE,
                  "step %zu: %s is %g at the initial parameters; training stopped before any update",
                  tr->step, what, value);
}

int grl_text_trainer_step(grl_text_trainer *tr, grl_train_stat *out)
{
  grl_model *m = tr->m;
  const size_t T = tr->T, B = tr->B, H = m->hidden_size, n = m->n;
  const unsigned char *ids = tr->text->ids;
  double *theta = m->theta, *g = tr->grad;
  grl_train_stat s = {0};
  s.step = ++tr->step;

  /* The batch: window win of every stream b, rows t*B+b. */
  for (size_t t = 0; t < T; t++)
    for (size_t b = 0; b < B; b++) {
      size_t pos = b * tr->L + tr->win * T + t;
      tr->in[t * B + b] = ids[pos];
      tr->target[t * B + b] = ids[pos + 1];
    }

  /* Forward from the carried state, loss, and BPTT to the window's start
   * (dh0 is not asked for: the gradient stops there). */
  memset(g, 0, n * sizeof *g);
  double L = NAN;
  int st = grl_text_loss(m, theta, tr->seq, tr->in, tr->target, tr->h->data,
                         tr->c ? tr->c->data : NULL, tr->logits, &L, g,
                         tr->dlogits, tr->dout, NULL, NULL);
  if (st == GRL_ENONFINITE)
    return stop(tr, "a hidden state", NAN);
  if (st)
    return st;
  if (!isfinite(L))
    return stop(tr, "the loss", L);

  s.grad_norm = grl_clip_global_norm(g, n, tr->clip, &s.clipped);
  if (!isfinite(s.grad_norm) || !grl_all_finite(g, n))
    return stop(tr, "the gradient norm", s.grad_norm);
  memcpy(tr->good, theta, n * sizeof *theta);
  tr->good_step = tr->step;
  grl_optim_step(tr->opt, theta, g);
  if (!grl_all_finite(theta, n))
    return stop(tr, "an updated parameter", INFINITY);
  for (size_t i = 0; i < n; i++)
    g[i] = theta[i] - tr->good[i];
  s.update_norm = grl_norm(g, n);

  /* Carry h_T (c_T) into the next window; a new epoch starts from zero. */
  if (++tr->win == tr->nwin) {
    tr->win = 0;
    tr->epoch++;
    gsl_matrix_set_zero(tr->h);
    if (tr->c)
      gsl_matrix_set_zero(tr->c);
  } else {
    gsl_matrix_view hT = grl_seq_hT(tr->seq);
    gsl_matrix_memcpy(tr->h, &hT.matrix);
    if (tr->c) {
      gsl_matrix_view cT = grl_seq_cT(tr->seq);
      gsl_matrix_memcpy(tr->c, &cT.matrix);
    }
  }
  (void)H;
  s.loss = L / M_LN2;   /* bits per character */
  s.seconds = grl_seconds() - tr->t0;
  if (out)
    *out = s;
  return GRL_OK;
}

int grl_text_train_run(grl_text_trainer *tr, size_t steps,
                       grl_train_stat *log, size_t *done,
                       grl_train_callback cb, void *ctx)
{
  size_t k = 0;
  int st = GRL_OK;
  while (k < steps) {
    grl_train_stat s;
    if (tr->stop && *tr->stop) {
      st = grl_fail(GRL_EINTR, "stopped after step %zu", tr->step);
      break;
    }
    if ((st = grl_text_trainer_step(tr, &s)))
      break;
    if (log)
      log[k] = s;
    k++;
    if (cb && (st = cb(&s, ctx)))
      break;
  }
  if (done)
    *done = k;
  return st;
}

/* ------------------------------------------------------------------ */
/* Evaluation                                                          */
/* ------------------------------------------------------------------ */

/* Forward only over windows of len steps of Bs streams that start at
 * start[b] (the input positions), from the state h, c (Bs, H), which is
 * replaced by the final state.  Adds the summed cross-entropy (nats). */
typedef struct {
  grl_seq *s;
  gsl_matrix *logits;  /* (len*Bs, V) */
  unsigned char *in;   /* (len*Bs)    */
  size_t *target;      /* (len*Bs)    */
} evalbuf;

static void evalbuf_free(evalbuf *e)
{
  grl_seq_free(e->s);
  if (e->logits)
    gsl_matrix_free(e->logits);
  free(e->in);
  free(e->target);
}

static int evalbuf_alloc(evalbuf *e, const grl_model *m, size_t len, size_t Bs)
{
  memset(e, 0, sizeof *e);
  int st = grl_seq_alloc(&e->s, m, len, Bs);
  if (st)
    return st;
  e->logits = gsl_matrix_alloc(len * Bs, m->output_size);
  e->in = malloc(len * Bs);
  e->target = malloc(len * Bs * sizeof *e->target);
  if (!e->logits || !e->in || !e->target) {
    evalbuf_free(e);
    return grl_fail(GRL_ENOMEM, "evaluate: out of memory");
  }
  return GRL_OK;
}

static int score(const grl_model *m, const unsigned char *ids, evalbuf *e,
                 size_t start_stride, size_t start0, gsl_matrix *h,
                 gsl_matrix *c, double *nll)
{
  const size_t len = grl_seq_length(e->s), Bs = grl_seq_batch(e->s);
  for (size_t t = 0; t < len; t++)
    for (size_t b = 0; b < Bs; b++) {
      size_t pos = start0 + b * start_stride + t;
      e->in[t * Bs + b] = ids[pos];
      e->target[t * Bs + b] = ids[pos + 1];
    }
  double L;
  int st = grl_text_loss(m, NULL, e->s, e->in, e->target, h->data,
                         c ? c->data : NULL, e->logits, &L, NULL, NULL, NULL,
                         NULL, NULL);
  if (st)
    return st;
  *nll += L * (double)(len * Bs);
  gsl_matrix_view hT = grl_seq_hT(e->s);
  gsl_matrix_memcpy(h, &hT.matrix);
  if (c) {
    gsl_matrix_view cT = grl_seq_cT(e->s);
    gsl_matrix_memcpy(c, &cT.matrix);
  }
  return GRL_OK;
}

int grl_text_evaluate(grl_text_trainer *tr, size_t from, size_t to,
                      double *bpc)
{
  const grl_model *m = tr->m;
  const grl_text *t = tr->text;
  const size_t H = m->hidden_size;
  if (!(from < to && to <= t->n && to - from >= 2))
    return grl_fail(GRL_EINVAL, "evaluate: the range [%zu, %zu) of a %zu-byte text holds no prediction",
                    from, to, t->n);
  const size_t P = to - from - 1;          /* predictions                 */
  size_t B = tr->B, T = tr->T;
  if (P < B)
    B = 1;
  const size_t Ls = P / B;                 /* predictions per stream      */
  if (Ls < T)
    T = Ls;
  const size_t nfull = Ls / T, tail = Ls % T, rest = P - B * Ls;
  evalbuf full = {0}, etail = {0}, erest = {0};
  gsl_matrix *h = gsl_matrix_calloc(B, H), *c = NULL, *h1 = NULL, *c1 = NULL;
  int has_c = m->cell->has_c;
  int st = GRL_OK;
  if (has_c)
    c = gsl_matrix_calloc(B, H);
  if (rest) {
    h1 = gsl_matrix_alloc(1, H);
    if (has_c)
      c1 = gsl_matrix_alloc(1, H);
  }
  if (!h || (has_c && !c) || (rest && (!h1 || (has_c && !c1))))
    st = grl_fail(GRL_ENOMEM, "evaluate: out of memory");
  if (!st)
    st = evalbuf_alloc(&full, m, T, B);
  if (!st && tail)
    st = evalbuf_alloc(&etail, m, tail, B);
  if (!st && rest)
    st = evalbuf_alloc(&erest, m, rest, 1);
  double nll = 0;
  /* B streams of Ls predictions: nfull windows of T, then the tail. */
  for (size_t w = 0; w < nfull && !st; w++)
    st = score(m, t->ids, &full, Ls, from + w * T, h, c, &nll);
  if (!st && tail)
    st = score(m, t->ids, &etail, Ls, from + nfull * T, h, c, &nll);
  /* The last P - B*Ls predictions continue the last stream. */
  if (!st && rest) {
    gsl_vector_view last = gsl_matrix_row(h, B - 1);
    gsl_vector_view h1r = gsl_matrix_row(h1, 0);
    gsl_vector_memcpy(&h1r.vector, &last.vector);
    if (has_c) {
      gsl_vector_view lc = gsl_matrix_row(c, B - 1), c1r = gsl_matrix_row(c1, 0);
      gsl_vector_memcpy(&c1r.vector, &lc.vector);
    }
    st = score(m, t->ids, &erest, 0, from + B * Ls, h1, c1, &nll);
  }
  evalbuf_free(&full);
  evalbuf_free(&etail);
  evalbuf_free(&erest);
  gsl_matrix *all[] = {h, c, h1, c1};
  for (size_t i = 0; i < 4; i++)
    if (all[i])
      gsl_matrix_free(all[i]);
  if (st)
    return st;
  *bpc = nll / (double)P / M_LN2;
  if (!isfinite(*bpc))
    return grl_fail(GRL_ENONFINITE, "evaluate: the loss is %g", *bpc);
  return GRL_OK;
}

/* ------------------------------------------------------------------ */
/* Sampling                                                            */
/* ------------------------------------------------------------------ */

int grl_text_sample(const grl_model *m, const grl_vocab *v,
                    const unsigned char *prime, size_t nprime, size_t n,
                    double temperature, gsl_rng *r, unsigned char *out)
{
  const size_t V = v->V, H = m->hidden_size;
  if (m->input_size != V || m->output_size != V)
    return grl_fail(GRL_EINVAL, "sample: the vocabulary has %zu bytes but the model's input size is %zu and its readout has %zu outputs",
                    V, m->input_size, m->output_size);
  if (!(temperature >= 0.0) || !isfinite(temperature))
    return grl_fail(GRL_EINVAL, "sample: temperature must be >= 0 (0 = arg-max), got %g", temperature);
  if (nprime == 0)
    return grl_fail(GRL_EINVAL, "sample: the prime must hold at least one byte");
  for (size_t i = 0; i < nprime; i++)
    if (v->id[prime[i]] < 0)
      return grl_fail(GRL_EINVAL, "sample: prime byte %zu (0x%02x) is not in the model's vocabulary of %zu bytes",
                      i, prime[i], V);
  grl_seq *s = NULL;
  int st = grl_seq_alloc(&s, m, 1, 1);
  if (st)
    return st;
  gsl_matrix *z = gsl_matrix_alloc(1, V);        /* (1, V) logits        */
  double *h = calloc(H, sizeof *h), *c = calloc(H, sizeof *c);
  if (!z || !h || !c) {
    st = grl_fail(GRL_ENOMEM, "sample: out of memory");
    goto done;
  }
  unsigned char id = (unsigned char)v->id[prime[0]];
  for (size_t k = 1; k < nprime + n; k++) {
    /* one step: x = id, state carried in h (c) */
    grl_text_gather(m, NULL, s, &id);
    if ((st = grl_seq_forward(s, NULL, NULL, h, m->cell->has_c ? c : NULL)))
      goto done;
    gsl_matrix_view hT = grl_seq_hT(s);
    memcpy(h, hT.matrix.data, H * sizeof *h);
    if (m->cell->has_c) {
      gsl_matrix_view cT = grl_seq_cT(s);
      memcpy(c, cT.matrix.data, H * sizeof *c);
    }
    if (k < nprime) {                 /* still reading the prime */
      id = (unsigned char)v->id[prime[k]];
      continue;
    }
    grl_readout_forward(m, NULL, &hT.matrix, z);
    const double *zr = z->data;
    size_t best = 0;
    for (size_t j = 1; j < V; j++)
      if (zr[j] > zr[best])
        best = j;
    size_t pick = best;
    if (temperature > 0) {
      /* p_j = exp((z_j - z_max)/tau) / sum, drawn by the inverse CDF */
      double sum = 0;
      for (size_t j = 0; j < V; j++)
        sum += exp((zr[j] - zr[best]) / temperature);
      double u = gsl_rng_uniform(r) * sum, acc = 0;
      pick = V - 1;
      for (size_t j = 0; j < V; j++) {
        acc += exp((zr[j] - zr[best]) / temperature);
        if (u < acc) {
          pick = j;
          break;
        }
      }
    }
    id = (unsigned char)pick;
    out[k - nprime] = v->byte[pick];
  }
done:
  grl_seq_free(s);
  if (z)
    gsl_matrix_free(z);
  free(h);
  free(c);
  return st;
}
