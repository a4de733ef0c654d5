/* model.c -- a cell's parameters as one contiguous block with named views.
 *
 * Every parameter of a model lives in theta[0, n): the cell's own tensors
 * first, theta[0, ncell), then the optional linear readout.  Optimisers,
 * gradient checks and file I/O loop over the one array; grl_model_bind()
 * gives every tensor its name and shape back as gsl_matrix views. */
#include <config.h>
#include "grulab.h"
#include "cell_impl.h"
#include "backend.h"

#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- the cells, in teaching order ---------------------------------- */

static const grl_cell *const all_cells[] = {
#define GRL_CELL(id) &grl_cell_##id,
#include "grl_cells.h"
#undef GRL_CELL
  NULL};

const grl_cell *const *grl_cell_all(void) { return all_cells; }
const char *grl_cell_name(const grl_cell *c) { return c->name; }

const grl_cell *grl_cell_lookup(const char *name)
{
  for (const grl_cell *const *c = all_cells; *c; c++)
    if (strcmp((*c)->name, name) == 0)
      return *c;
  return NULL;
}

/* ---- layouts ----------------------------------------------------------- */

static size_t add_param(grl_model *m, const char *name, size_t rows,
                        size_t cols, int ndim, size_t offset)
{
  grl_param *p = &m->param[m->nparam++];
  p->name = name;
  p->ndim = ndim;
  p->rows = rows;
  p->cols = cols;
  p->offset = offset;
  return rows * cols;
}

void grl_layout_pytorch(grl_model *m)
{
  size_t GH = m->cell->G * m->hidden_size, I = m->input_size,
         H = m->hidden_size, off = 0;
  off += add_param(m, "weight_ih_l0", GH, I, 2, off);  /* P_WIH */
  off += add_param(m, "weight_hh_l0", GH, H, 2, off);  /* P_WHH */
  off += add_param(m, "bias_ih_l0", GH, 1, 1, off);    /* P_BIH */
  off += add_param(m, "bias_hh_l0", GH, 1, 1, off);    /* P_BHH */
  m->ncell = off;
  /* each tensor is one view of itself */
  const grl_param *p = m->param;
  m->view.Wx = (grl_slot){p[P_WIH].offset, GH, I, I};
  m->view.Wh = (grl_slot){p[P_WHH].offset, GH, H, H};
  m->view.bx = (grl_slot){p[P_BIH].offset, GH, 1, 1};
  m->view.bh = (grl_slot){p[P_BHH].offset, GH, 1, 1};
  m->view.has_bh = 1;
}

/* ---- allocation -------------------------------------------------------- */

int grl_model_alloc(grl_model **out, const grl_cell *cell, size_t input_size,
                    size_t hidden_size, size_t output_size)
{
  return grl_model_alloc_layers(out, cell, input_size, hidden_size,
                                output_size, 1);
}

/* Layer l's name for a cell tensor's layer-0 name: "weight_ih_l0" ->
 * "weight_ih_l1", "weight_f" -> "weight_f_l1". */
static void layer_name(char *buf, size_t len, const char *name, size_t l)
{
  size_t n = strlen(name);
  if (n > 3 && strcmp(name + n - 3, "_l0") == 0)
    snprintf(buf, len, "%.*s_l%zu", (int)(n - 3), name, l);
  else
    snprintf(buf, len, "%s_l%zu", name, l);
}

/* Layers 1 .. L-1 after layer 0's tensors: the cell at I = H, once per
 * layer, its tensors renamed and shifted. */
static int layout_upper(grl_model *m, size_t L)
{
  m->layers = L;
  m->layer_offset[0] = 0;
  if (L == 1)
    return GRL_OK;
  int st = grl_model_alloc(&m->upper, m->cell, m->hidden_size,
                           m->hidden_size, 0);
  if (st)
    return st;
  size_t off = m->ncell;
  for (size_t l = 1; l < L; l++) {
    m->layer_offset[l] = off;
    for (size_t i = 0; i < m->upper->nparam; i++) {
      const grl_param *q = &m->upper->param[i];
      char *name = m->pname[m->nparam];
      layer_name(name, GRL_NAME_MAX, q->name, l);
      add_param(m, name, q->rows, q->cols, q->ndim, off + q->offset);
    }
    off += m->upper->ncell;
  }
  m->ncell = off;
  return GRL_OK;
}

int grl_model_alloc_layers(grl_model **out, const grl_cell *cell,
                           size_t input_size, size_t hidden_size,
                           size_t output_size, size_t layers)
{
  *out = NULL;
  if (layers < 1 || layers > GRL_MAX_LAYERS)
    return grl_fail(GRL_EINVAL, "model: layers must be between 1 and %d "
                    "(got %zu)", GRL_MAX_LAYERS, layers);
  if (!cell)
    return grl_fail(GRL_EINVAL, "model: no cell given");
  if (input_size == 0 || hidden_size == 0)
    return grl_fail(GRL_EINVAL, "model: input and hidden sizes must be "
                    "positive (got I=%zu, H=%zu)", input_size, hidden_size);
  if (input_size > GRL_SIZE_MAX || hidden_size > GRL_SIZE_MAX
      || output_size > GRL_SIZE_MAX)
    return grl_fail(GRL_EINVAL, "model: sizes above %d are not supported "
                    "(got I=%zu, H=%zu, O=%zu)", GRL_SIZE_MAX, input_size, hidden_size,
                    output_size);
  grl_model *m = calloc(1, sizeof *m);
  if (!m)
    return grl_fail(GRL_ENOMEM, "model: out of memory");
  m->cell = cell;
  m->input_size = input_size;
  m->hidden_size = hidden_size;
  m->output_size = output_size;
  cell->layout(m);
  int st = layout_upper(m, layers);
  if (st) {
    grl_model_free(m);
    return st;
  }
  m->n = m->ncell;
  if (output_size > 0) {
    m->view.Wo = (grl_slot){m->n, output_size, hidden_size, hidden_size};
    m->n += add_param(m, "readout_weight", output_size, hidden_size, 2, m->n);
    m->view.bo = (grl_slot){m->n, output_size, 1, 1};
    m->n += add_param(m, "readout_bias", output_size, 1, 1, m->n);
  }
  m->theta = calloc(m->n, sizeof *m->theta);
  if (!m->theta) {
    size_t n = m->n;
    grl_model_free(m);
    return grl_fail(GRL_ENOMEM, "model: out of memory for %zu parameters", n);
  }
  *out = m;
  return GRL_OK;
}

void grl_model_free(grl_model *m)
{
  if (!m)
    return;
  grl_model_free(m->upper);
  free(m->theta);
  free(m);
}

const grl_model *grl_model_layer(const grl_model *m, size_t l, size_t *offset)
{
  if (offset)
    *offset = l < m->layers ? m->layer_offset[l] : 0;
  return l == 0 ? m : l < m->layers ? m->upper : NULL;
}

const grl_param *grl_model_param(const grl_model *m, const char *name)
{
  for (size_t i = 0; i < m->nparam; i++)
    if (strcmp(m->param[i].name, name) == 0)
      return &m->param[i];
  return NULL;
}

double *grl_model_tensor(const grl_model *m, double *block, const char *name)
{
  const grl_param *p = grl_model_param(m, name);
  return p ? block + p->offset : NULL;
}

/* The same binding twice: writable views for gradients and
 * initialisations, read-only views for the parameters of a pass. */
#define BIND(v, block, MVIEW, VVIEW)                                          \
  do {                                                                        \
    const grl_slot *Wx = &m->view.Wx, *Wh = &m->view.Wh;                      \
    (v)->Wx = MVIEW((block) + Wx->offset, Wx->rows, Wx->cols, Wx->tda);       \
    (v)->Wh = MVIEW((block) + Wh->offset, Wh->rows, Wh->cols, Wh->tda);       \
    (v)->bx = VVIEW((block) + m->view.bx.offset, m->view.bx.rows);            \
    (v)->has_bh = m->view.has_bh;                                             \
    if ((v)->has_bh)                                                          \
      (v)->bh = VVIEW((block) + m->view.bh.offset, m->view.bh.rows);          \
    if (m->output_size > 0) {                                                 \
      const grl_slot *Wo = &m->view.Wo;                                       \
      (v)->Wo = MVIEW((block) + Wo->offset, Wo->rows, Wo->cols, Wo->tda);     \
      (v)->bo = VVIEW((block) + m->view.bo.offset, m->view.bo.rows);          \
    }                                                                         \
  } while (0)

void grl_model_bind(const grl_model *m, double *block, grl_views *v)
{
  memset(v, 0, sizeof *v);
  BIND(v, block, gsl_matrix_view_array_with_tda, gsl_vector_view_array);
}

void grl_model_bind_const(const grl_model *m, const double *block,
                          grl_const_views *v)
{
  memset(v, 0, sizeof *v);
  BIND(v, block, gsl_matrix_const_view_array_with_tda,
       gsl_vector_const_view_array);
  v->backend = grl_fast_default();   /* the driver sets its own */
}
#undef BIND

/* PyTorch's default for nn.RNN/GRU/LSTM: U(-k, k), k = 1/sqrt(H). */
void grl_model_init_uniform(grl_model *m, gsl_rng *r)
{
  double k = 1.0 / sqrt((double)m->hidden_size);
  for (size_t i = 0; i < m->n; i++)
    m->theta[i] = -k + 2.0 * k * gsl_rng_uniform(r);
}

/* ---- reading and writing ----------------------------------------------- */

/* Which cell a file's tensors look like, for a helpful error message. */
static const char *guess_cell(const grl_tensorfile *tf, size_t H)
{
  if (grl_tensorfile_find(tf, "weight_f"))
    return "seed";
  const grl_tensor *w = grl_tensorfile_find(tf, "weight_hh_l0");
  if (!w || w->ndim != 2)
    return NULL;
  size_t h = w->dims[1];
  if (h == 0 || w->dims[0] % h != 0)
    return NULL;
  (void)H;
  switch (w->dims[0] / h) {
  case 1: return "rnn";
  case 3: return "gru or gru-cho";
  case 4: return "lstm";
  default: return NULL;
  }
}

int grl_model_read(grl_model *m, const grl_tensorfile *tf)
{
  for (size_t i = 0; i < m->nparam; i++) {
    const grl_param *p = &m->param[i];
    size_t dims[2] = {p->rows, p->cols};
    const double *data;
    int st = grl_tensorfile_get(tf, p->name, p->ndim, dims, &data);
    if (st) {
      const char *guess = guess_cell(tf, m->hidden_size);
      if (guess && strstr(guess, m->cell->name) == NULL) {
        char msg[900];
        snprintf(msg, sizeof msg, "%s", grl_strerror());
        return grl_fail(st, "%s (the file looks like parameters of cell %s, "
                        "not %s)", msg, guess, m->cell->name);
      }
      return st;
    }
    memcpy(m->theta + p->offset, data, p->rows * p->cols * sizeof *data);
  }
  return GRL_OK;
}

/* The sizes I and H that a parameter file holds for a cell.  Cells with
 * PyTorch's names have weight_ih_l0 (G*H, I) and weight_hh_l0 (G*H, H);
 * the seed cell has weight_f (H, H+I).  A file for another cell fails
 * here, naming the tensor that gives it away. */
static int infer_sizes(const grl_cell *cell, const grl_tensorfile *tf,
                       size_t *I, size_t *H)
{
  grl_model *probe = NULL;  /* the cell at I = H = 1: names and gate count */
  char shape[96];
  int st = grl_model_alloc(&probe, cell, 1, 1, 0);
  if (st)
    return st;
  const grl_param *whh = grl_model_param(probe, "weight_hh_l0");
  const grl_param *wf = grl_model_param(probe, "weight_f");
  const char *cname = grl_cell_name(cell);
  const size_t G = whh ? whh->rows : 1;  /* gate blocks: rows per unit H */
  const char *key = whh ? "weight_hh_l0" : wf ? "weight_f" : NULL;
  grl_model_free(probe);
  if (!key)
    return grl_fail(GRL_EINVAL, "%s: cell %s has no parameter grulab can "
                    "size from", tf->path, cname);

  const grl_tensor *t = grl_tensorfile_find(tf, key);
  if (!t)
    return grl_fail(GRL_EINVAL, "%s: no tensor '%s': not a parameter file "
                    "for the %s cell", tf->path, key, cname);
  if (whh) {
    /* weight_hh_l0 (G*H, H) */
    if (t->ndim != 2 || t->dims[0] != G * t->dims[1])
      return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'weight_hh_l0' has shape "
                      "%s: not a parameter file for the %s cell, which "
                      "needs (%zu*H, H)", tf->path, t->line,
                      grl_shape_format(shape, sizeof shape, t->ndim, t->dims),
                      cname, G);
    *H = t->dims[1];
    const grl_tensor *u = grl_tensorfile_find(tf, "weight_ih_l0");
    if (!u)
      return grl_fail(GRL_EINVAL, "%s: no tensor 'weight_ih_l0': not a "
                      "parameter file for the %s cell", tf->path, cname);
    /* weight_ih_l0 (G*H, I) */
    if (u->ndim != 2 || u->dims[0] != G * *H)
      return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'weight_ih_l0' has shape "
                      "%s, expected %zux I for the %s cell (H=%zu from "
                      "weight_hh_l0)", tf->path, u->line,
                      grl_shape_format(shape, sizeof shape, u->ndim, u->dims),
                      G * *H, cname, *H);
    *I = u->dims[1];
  } else {
    /* weight_f (H, H+I) acting on v = [h; x] */
    if (t->ndim != 2 || t->dims[1] <= t->dims[0])
      return grl_fail(GRL_EINVAL, "%s:%ld: tensor 'weight_f' has shape "
                      "%s: not a parameter file for the %s cell, which "
                      "needs (H, H+I)", tf->path, t->line,
                      grl_shape_format(shape, sizeof shape, t->ndim, t->dims),
                      cname);
    *H = t->dims[0];
    *I = t->dims[1] - t->dims[0];
  }
  return GRL_OK;
}

int grl_model_load(grl_model **out, const grl_cell *cell, const char *path,
                   int readout)
{
  grl_tensorfile *tf = NULL;
  grl_model *m = NULL;
  size_t I = 0, H = 0, O = 0;
  *out = NULL;
  int st = grl_tensorfile_read(&tf, path);
  if (!st)
    st = infer_sizes(cell, tf, &I, &H);
  /* readout_weight (O, H), if the file has one and the caller wants it */
  const grl_tensor *w = st ? NULL : grl_tensorfile_find(tf, "readout_weight");
  if (!st && readout && w) {
    char shape[96];
    if (w->ndim != 2 || w->dims[1] != H)
      st = grl_fail(GRL_EINVAL, "%s:%ld: tensor 'readout_weight' has shape "
                    "%s, expected O x %zu (H from the cell's weights)",
                    tf->path, w->line,
                    grl_shape_format(shape, sizeof shape, w->ndim, w->dims), H);
    else
      O = w->dims[0];
  }
  /* the layers: as many as weight_hh_l1, weight_hh_l2, ... (seed:
   * weight_f_l1, ...) say */
  size_t L = 1;
  while (!st && L < GRL_MAX_LAYERS) {
    char name[GRL_NAME_MAX];
    layer_name(name, sizeof name, grl_tensorfile_find(tf, "weight_f")
               ? "weight_f" : "weight_hh_l0", L);
    if (!grl_tensorfile_find(tf, name))
      break;
    L++;
  }
  if (!st)
    st = grl_model_alloc_layers(&m, cell, I, H, O, L);
  if (!st)
    st = grl_model_read(m, tf);
  grl_tensorfile_free(tf);
  if (st) {
    grl_model_free(m);
    return st;
  }
  *out = m;
  return GRL_OK;
}

int grl_model_write(FILE *f, const grl_model *m, const double *block)
{
  for (size_t i = 0; i < m->nparam; i++) {
    const grl_param *p = &m->param[i];
    size_t dims[2] = {p->rows, p->cols};
    int st = grl_tensor_write(f, p->name, p->ndim, dims, block + p->offset);
    if (st)
      return st;
  }
  return GRL_OK;
}
