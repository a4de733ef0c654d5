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
#include <errno.h>
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

/* ---- the model record --------------------------------------------------- */

/* The layer count of a model. */
static size_t model_layers(const grl_model *m)
{
  return m->layers;
}

/* The record's fields, as the file gives them. */
typedef struct {
  long version;
  char cell[32];
  size_t input_size, hidden_size, num_layers, output_size, vocabulary;
  int readout;           /* 1 linear, 0 none */
} record;

/* One size field: a decimal integer below GRL_SIZE_MAX * 256. */
static int record_size(const char *path, long line, const char *key,
                       const char *val, size_t *out)
{
  char *end;
  errno = 0;
  unsigned long long v = strtoull(val, &end, 10);
  if (!*val || *end || errno || val[0] == '-' || val[0] == '+' || v > 1u << 30)
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record: %s=%s is not a size",
                    path, line, key, val);
  *out = (size_t)v;
  return GRL_OK;
}

/* Parse "version=1 cell=gru ..." into r.  The version is judged first:
 * a later version may have other fields, and is refused as such. */
static int record_parse(const grl_tensorfile *tf, record *r)
{
  static const char *const keys[] = {"version", "cell", "input_size",
    "hidden_size", "num_layers", "readout", "output_size", "vocabulary"};
  enum { NKEY = sizeof keys / sizeof *keys };
  char buf[512], *tok[64], *val[NKEY] = {0};
  size_t ntok = 0;
  const char *path = tf->path;
  long line = tf->record_line;
  if (strlen(tf->record) >= sizeof buf)
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record longer than %zu "
                    "characters", path, line, sizeof buf - 1);
  strcpy(buf, tf->record);
  for (char *t = strtok(buf, " \t\r\v\f"); t && ntok < 64;
       t = strtok(NULL, " \t\r\v\f")) {
    char *eq = strchr(t, '=');
    if (!eq)
      return grl_fail(GRL_EFORMAT, "%s:%ld: model record: '%s' is not "
                      "KEY=VALUE", path, line, t);
    *eq = '\0';
    tok[ntok++] = t;
    if (strcmp(t, "version") == 0)
      val[0] = eq + 1;
  }
  if (!val[0])
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record without version=",
                    path, line);
  char *end;
  r->version = strtol(val[0], &end, 10);
  if (*end || r->version < 1)
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record: version=%s is not "
                    "a format version (1, 2, ...)", path, line, val[0]);
  if (r->version > GRL_MODEL_FORMAT)
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record version %ld is newer "
                    "than this grulab reads (version %d): a later grulab "
                    "wrote it", path, line, r->version, GRL_MODEL_FORMAT);
  val[0] = NULL;
  for (size_t i = 0; i < ntok; i++) {
    size_t k = 0;
    while (k < NKEY && strcmp(keys[k], tok[i]) != 0)
      k++;
    if (k == NKEY)
      return grl_fail(GRL_EFORMAT, "%s:%ld: model record: unknown field "
                      "'%s' (version %d has version, cell, input_size, "
                      "hidden_size, num_layers, readout, output_size, "
                      "vocabulary)", path, line, tok[i], GRL_MODEL_FORMAT);
    if (val[k])
      return grl_fail(GRL_EFORMAT, "%s:%ld: model record: field '%s' "
                      "given twice", path, line, tok[i]);
    val[k] = tok[i] + strlen(tok[i]) + 1;
  }
  for (size_t k = 1; k < NKEY; k++)
    if (!val[k])
      return grl_fail(GRL_EFORMAT, "%s:%ld: model record without %s=",
                      path, line, keys[k]);
  if (strlen(val[1]) >= sizeof r->cell)
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record: cell=%s is not a "
                    "cell", path, line, val[1]);
  strcpy(r->cell, val[1]);
  if (strcmp(val[5], "linear") == 0)
    r->readout = 1;
  else if (strcmp(val[5], "none") == 0)
    r->readout = 0;
  else
    return grl_fail(GRL_EFORMAT, "%s:%ld: model record: readout=%s; "
                    "want linear or none", path, line, val[5]);
  int st = record_size(path, line, "input_size", val[2], &r->input_size);
  if (!st)
    st = record_size(path, line, "hidden_size", val[3], &r->hidden_size);
  if (!st)
    st = record_size(path, line, "num_layers", val[4], &r->num_layers);
  if (!st)
    st = record_size(path, line, "output_size", val[6], &r->output_size);
  if (!st)
    st = record_size(path, line, "vocabulary", val[7], &r->vocabulary);
  return st;
}

/* "gru|gru-cho|...": every cell, for a message. */
static const char *cell_names(char *buf, size_t len)
{
  size_t used = 0;
  buf[0] = '\0';
  for (const grl_cell *const *c = all_cells; *c && used < len; c++) {
    int w = snprintf(buf + used, len - used, "%s%s", c == all_cells ? "" : "|",
                     (*c)->name);
    if (w < 0)
      break;
    used += (size_t)w;
  }
  return buf;
}

/* Does the tensor NAME belong to m, its readout or a text vocabulary? */
static int known_tensor(const grl_model *m, const char *name)
{
  return grl_model_param(m, name) || strcmp(name, "readout_weight") == 0
         || strcmp(name, "readout_bias") == 0
         || strcmp(name, "vocabulary") == 0;
}

/* Every tensor of tf must be one the model reads: a name it does not know
 * is a misspelling, another model's tensor, or a deeper torch model's
 * (weight_ih_l1).  Named, all of them, in one line. */
static int check_unused(const grl_model *m, const grl_tensorfile *tf)
{
  char names[400] = "";
  size_t n = 0, used = 0;
  long line = 0;
  int layer = 0;
  for (size_t i = 0; i < tf->n; i++) {
    const char *name = tf->t[i].name;
    if (known_tensor(m, name))
      continue;
    if (n++ == 0)
      line = tf->t[i].line;
    const char *l = strstr(name, "_l");
    if (l && l[2] >= '1' && l[2] <= '9')
      layer = 1;
    if (used < sizeof names - 48) {
      int w = snprintf(names + used, sizeof names - used, "%s'%s'",
                       n > 1 ? ", " : "", name);
      if (w > 0)
        used += (size_t)w;
    } else if (used < sizeof names - 4) {
      strcpy(names + used, ", ...");
      used = sizeof names;
    }
  }
  if (n == 0)
    return GRL_OK;
  return grl_fail(GRL_EFORMAT, "%s:%ld: %s %s %s not used by a %zu-layer "
                  "%s model: a misspelt name or another model's tensor%s",
                  tf->path, line, n == 1 ? "tensor" : "tensors", names,
                  n == 1 ? "is" : "are", model_layers(m), m->cell->name,
                  layer ? " (a torch file with num_layers > 1?)" : "");
}

/* The record against the model read and the file's other tensors. */
static int check_record(const grl_model *m, const record *r,
                        const grl_tensorfile *tf, int readout)
{
  const char *path = tf->path;
  long line = tf->record_line;
  if (r->input_size != m->input_size || r->hidden_size != m->hidden_size)
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says input_size=%zu "
                    "hidden_size=%zu, but the %s tensors hold I=%zu H=%zu",
                    path, line, r->input_size, r->hidden_size, m->cell->name,
                    m->input_size, m->hidden_size);
  if (r->num_layers != model_layers(m))
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says num_layers=%zu, "
                    "but the model read has %zu layers", path, line,
                    r->num_layers, model_layers(m));
  const grl_tensor *w = grl_tensorfile_find(tf, "readout_weight");
  size_t O = w && w->ndim == 2 ? w->dims[0] : 0;
  if (r->readout != (w != NULL) || (r->readout && r->output_size != O)
      || (!r->readout && r->output_size != 0))
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says readout=%s "
                    "output_size=%zu, but the file has %s%zu", path, line,
                    r->readout ? "linear" : "none", r->output_size,
                    w ? "a readout_weight of O=" : "no readout_weight, O=", O);
  if (readout && r->readout && m->output_size != r->output_size)
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says output_size=%zu, "
                    "but readout_weight holds O=%zu", path, line,
                    r->output_size, m->output_size);
  const grl_tensor *v = grl_tensorfile_find(tf, "vocabulary");
  size_t V = v ? v->size : 0;
  if (r->vocabulary != V && v)
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says vocabulary=%zu, "
                    "but the tensor 'vocabulary' (line %ld) holds %zu bytes",
                    path, line, r->vocabulary, v->line, V);
  if (r->vocabulary != V)
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says vocabulary=%zu, "
                    "but the file has no tensor 'vocabulary'", path, line,
                    r->vocabulary);
  if (V && (r->input_size != V || r->output_size != V))
    return grl_fail(GRL_EFORMAT, "%s:%ld: the record says vocabulary=%zu, "
                    "but a text model of it reads and predicts V bytes: "
                    "input_size=%zu, output_size=%zu", path, line, V,
                    r->input_size, r->output_size);
  return GRL_OK;
}

int grl_model_open(grl_model **out, const grl_cell *cell, const char *path,
                   int flags, grl_model_info *info)
{
  grl_tensorfile *tf = NULL;
  grl_model *m = NULL;
  record r = {0};
  size_t I = 0, H = 0, O = 0;
  char names[200];
  *out = NULL;
  if (info)
    memset(info, 0, sizeof *info);
  int st = grl_tensorfile_read(&tf, path);
  if (!st && tf->record)
    st = record_parse(tf, &r);
  if (!st && tf->record) {
    const grl_cell *rc = grl_cell_lookup(r.cell);
    if (!rc)
      st = grl_fail(GRL_EFORMAT, "%s:%ld: the record says cell=%s, which "
                    "this grulab does not have (%s)", tf->path, tf->record_line,
                    r.cell, cell_names(names, sizeof names));
    else if (cell && cell != rc)
      st = grl_fail(GRL_EINVAL, "%s:%ld: the record says cell=%s, but cell "
                    "%s was asked for", tf->path, tf->record_line, r.cell,
                    cell->name);
    cell = rc;
  } else if (!st) {
    const char *how = cell ? "as asked" : "the default";
    if (!cell)
      cell = &grl_cell_gru;
    if (info)
      snprintf(info->note, sizeof info->note, "%s: no model record (a file "
               "from before grulab wrote one, or from torch): read as cell "
               "%s, %s", tf->path, cell->name, how);
  }
  if (!st)
    st = infer_sizes(cell, tf, &I, &H);
  /* readout_weight (O, H), if the file has one and the caller wants it */
  const grl_tensor *w = st ? NULL : grl_tensorfile_find(tf, "readout_weight");
  if (!st && (flags & GRL_LOAD_READOUT) && w) {
    char shape[96];
    if (w->ndim != 2 || w->dims[1] != H)
      st = grl_fail(GRL_EINVAL, "%s:%ld: tensor 'readout_weight' has shape "
                    "%s, expected O x %zu (H from the cell's weights)",
                    tf->path, w->line,
                    grl_shape_format(shape, sizeof shape, w->ndim, w->dims), H);
    else
      O = w->dims[0];
  }
  /* the layers: the record's num_layers, or as many as weight_hh_l1,
   * weight_hh_l2, ... (seed: weight_f_l1, ...) say */
  size_t L = 1;
  if (!st && tf->record && (r.num_layers < 1 || r.num_layers > GRL_MAX_LAYERS))
    st = grl_fail(GRL_EFORMAT, "%s:%ld: the record says num_layers=%zu; "
                  "grulab builds 1 to %d layers", tf->path, tf->record_line,
                  r.num_layers, GRL_MAX_LAYERS);
  if (!st && tf->record)
    L = r.num_layers;
  while (!st && !tf->record && L < GRL_MAX_LAYERS) {
    char name[GRL_NAME_MAX];
    layer_name(name, sizeof name, grl_tensorfile_find(tf, "weight_f")
               ? "weight_f" : "weight_hh_l0", L);
    if (!grl_tensorfile_find(tf, name))
      break;
    L++;
  }
  if (!st)
    st = grl_model_alloc_layers(&m, cell, I, H, O, L);
  if (!st && (st = grl_model_read(m, tf)) != GRL_OK
      && !(flags & GRL_LOAD_SHARED)) {
    /* a tensor missing and a stray one: likely a misspelling; say both */
    char missing[900];
    snprintf(missing, sizeof missing, "%s", grl_strerror());
    if (check_unused(m, tf)) {
      char stray[900];
      snprintf(stray, sizeof stray, "%s", grl_strerror());
      st = grl_fail(st, "%s; %s", missing, stray);
    } else
      st = grl_fail(st, "%s", missing);
  }
  if (!st && tf->record)
    st = check_record(m, &r, tf, flags & GRL_LOAD_READOUT);
  if (!st && !(flags & GRL_LOAD_SHARED))
    st = check_unused(m, tf);
  if (!st && info) {
    const grl_tensor *v = grl_tensorfile_find(tf, "vocabulary");
    info->version = tf->record ? (int)r.version : 0;
    info->cell = cell;
    info->layers = m->layers;
    info->vocabulary = v ? v->size : 0;
  }
  grl_tensorfile_free(tf);
  if (st) {
    grl_model_free(m);
    if (info)
      info->note[0] = '\0';
    return st;
  }
  *out = m;
  return GRL_OK;
}

int grl_model_load(grl_model **out, const grl_cell *cell, const char *path,
                   int readout)
{
  return grl_model_open(out, cell, path, readout ? GRL_LOAD_READOUT : 0,
                        NULL);
}

int grl_model_write_record(FILE *f, const grl_model *m, size_t vocabulary)
{
  if (fprintf(f, "# grulab-model version=%d cell=%s input_size=%zu "
              "hidden_size=%zu num_layers=%zu readout=%s output_size=%zu "
              "vocabulary=%zu\n", GRL_MODEL_FORMAT, m->cell->name,
              m->input_size, m->hidden_size, model_layers(m),
              m->output_size ? "linear" : "none", m->output_size,
              vocabulary) < 0)
    return grl_fail(GRL_EIO, "write error: %s", strerror(errno));
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
