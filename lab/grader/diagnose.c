/* diagnose.c -- one item graded (in its child process): the reference,
 * the mutants, the student's run, and the words for what is wrong.
 *
 * The order matters: the reference and the mutants run first, the
 * student's code last, so that student code which writes outside its
 * arrays cannot spoil what it is compared with. */
#include <config.h>
#include "grader.h"
#include "run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

lab_shared *lab_sh;

void lab_say(const char *fmt, ...)
{
  if (!lab_sh)
    return;
  va_list ap;
  va_start(ap, fmt);
  size_t room = sizeof lab_sh->text - lab_sh->len;
  int n = room > 1 ? vsnprintf(lab_sh->text + lab_sh->len, room - 1, fmt, ap) : 0;
  va_end(ap);
  if (n < 0)
    return;
  lab_sh->len += (size_t)n < room - 1 ? (size_t)n : room - 2;
  lab_sh->text[lab_sh->len++] = '\n';
  lab_sh->text[lab_sh->len] = '\0';
}

/* ---- tensors merged over problems ---------------------------------------- */

typedef struct {
  const lab_tensor *t;   /* the first of its name (layout, labels, gates) */
  lab_count all, gate[8];
  size_t ngate;
  size_t garbage;        /* entries still LAB_GARBAGE in the student's */
  int index_k;           /* result index of the worst entry            */
} merged;

static size_t merge(const lab_result *S, const lab_result *R, const lab_cmp *cmp,
                    int group, merged *out)
{
  size_t n = 0;
  for (size_t k = 0; k < R->n; k++) {
    if (group && R->t[k].group != group)
      continue;
    size_t j = 0;
    while (j < n && strcmp(out[j].t->name, R->t[k].name))
      j++;
    if (j == n) {
      memset(&out[n], 0, sizeof out[n]);
      out[n].t = &R->t[k];
      out[n].ngate = cmp[k].ngate;
      out[n].index_k = (int)k;
      n++;
    }
    merged *m = &out[j];
    const lab_count *c = &cmp[k].all;
    if (c->wrong && !(c->worst <= m->all.worst)) {
      m->all.worst = c->worst;
      m->all.worst_at = c->worst_at;
      m->index_k = (int)k;
    }
    m->all.wrong += c->wrong;
    m->all.total += c->total;
    for (size_t g = 0; g < cmp[k].ngate; g++) {
      m->gate[g].wrong += cmp[k].gate[g].wrong;
      m->gate[g].total += cmp[k].gate[g].total;
      if (cmp[k].gate[g].wrong && !(cmp[k].gate[g].worst <= m->gate[g].worst))
        m->gate[g].worst = cmp[k].gate[g].worst;
    }
    const lab_tensor *st = &S->t[k];
    for (size_t i = 0; i < st->rows * st->cols; i++)
      if (st->data[i] == LAB_GARBAGE)
        m->garbage++;
  }
  return n;
}

static const char *num(double v, char *buf, size_t len)
{
  if (isinf(v))
    snprintf(buf, len, "inf (a NaN or Inf)");
  else
    snprintf(buf, len, "%.2g", v);
  return buf;
}

/* "dW_hh[5,2] (gate z, unit 1)", "dxs[7,1] (step t = 4)", "value at a = -720" */
static void entry_name(char *buf, size_t len, const lab_tensor *t, size_t at)
{
  size_t row = at / t->cols, col = at % t->cols;
  if (t->labels && t->rows == 1) {
    snprintf(buf, len, "%s at %s", t->name, t->labels[col]);
    return;
  }
  if (t->rows == 1) {
    snprintf(buf, len, "%s[%zu]", t->name, col);
    return;
  }
  int n = t->cols == 1 ? snprintf(buf, len, "%s[%zu]", t->name, row)
                       : snprintf(buf, len, "%s[%zu,%zu]", t->name, row, col);
  if (n < 0 || (size_t)n >= len)
    return;
  if (t->gate_rows && t->gates)
    snprintf(buf + n, len - (size_t)n, " (gate %s, unit %zu)",
             t->gates[row / t->gate_rows], row % t->gate_rows);
  else if (t->step_rows)
    snprintf(buf + n, len - (size_t)n, " (step t = %zu)", row / t->step_rows + 1);
}

/* The table of what is wrong, the worst entry, and what is right. */
static void table(const lab_result *S, const lab_result *R, const lab_cmp *cmp,
                  int group)
{
  merged m[LAB_MAX_TENSORS_RESULT];
  size_t n = merge(S, R, cmp, group, m);
  char b1[64];
  lab_say("  %-28s %-5s %-14s %s", "tensor", "gate", "wrong entries", "worst rel. error");
  double worst = -1.0;
  const lab_tensor *wt = NULL;
  size_t wat = 0;
  int wk = 0;
  for (size_t j = 0; j < n; j++) {
    if (!m[j].all.wrong)
      continue;
    if (m[j].ngate) {
      for (size_t g = 0; g < m[j].ngate; g++)
        if (m[j].gate[g].wrong) {
          char cnt[32];
          snprintf(cnt, sizeof cnt, "%zu of %zu", m[j].gate[g].wrong, m[j].gate[g].total);
          lab_say("  %-28s %-5s %-14s %s", m[j].t->name, m[j].t->gates[g], cnt,
                  num(m[j].gate[g].worst, b1, sizeof b1));
        }
    } else {
      char cnt[32];
      snprintf(cnt, sizeof cnt, "%zu of %zu", m[j].all.wrong, m[j].all.total);
      lab_say("  %-28s %-5s %-14s %s", m[j].t->name, "-", cnt,
              num(m[j].all.worst, b1, sizeof b1));
    }
    if (!(m[j].all.worst <= worst)) {
      worst = m[j].all.worst;
      wt = &R->t[m[j].index_k];
      wat = m[j].all.worst_at;
      wk = m[j].index_k;
    }
  }
  if (wt) {
    char where[160];
    entry_name(where, sizeof where, wt, wat);
    /* 10 digits, or as many more (up to 17) as show the difference */
    double y = S->t[wk].data[wat], e = wt->data[wat];
    char ys[40], es[40];
    for (int p = 10; p <= 17; p++) {
      snprintf(ys, sizeof ys, "%.*g", p, y);
      snprintf(es, sizeof es, "%.*g", p, e);
      if (strcmp(ys, es) != 0 || y == e)
        break;
    }
    lab_say("worst entry: %s: yours %s, expected %s", where, ys, es);
  }
  for (size_t j = 0; j < n; j++)
    if (m[j].garbage)
      lab_say("%zu entries of %s still hold the %g the grader put there: "
              "your code did not write them", m[j].garbage, m[j].t->name,
              LAB_GARBAGE);
  /* what is right */
  char right[1024] = "";
  size_t len = 0;
  for (size_t j = 0; j < n && len < sizeof right - 80; j++) {
    if (!m[j].all.wrong) {
      len += (size_t)snprintf(right + len, sizeof right - len, "%s%s",
                              len ? ", " : "", m[j].t->name);
    } else if (m[j].ngate) {
      char gates[64] = "";
      size_t gl = 0;
      for (size_t g = 0; g < m[j].ngate; g++)
        if (!m[j].gate[g].wrong)
          gl += (size_t)snprintf(gates + gl, sizeof gates - gl, "%s%s",
                                 gl ? " " : "", m[j].t->gates[g]);
      if (gl)
        len += (size_t)snprintf(right + len, sizeof right - len, "%s%s %s",
                                len ? ", " : "", m[j].t->name, gates);
    }
  }
  lab_say("right: %s", len ? right : "nothing");
}

/* ---- the time axis and the length of the sequence ------------------------------ */

static void steps_line(const lab_result *R, const lab_cmp *cmp, int group)
{
  for (size_t k = 0; k < R->n; k++) {
    if (R->t[k].group != group || !cmp[k].nstep || !cmp[k].all.wrong)
      continue;
    size_t T = cmp[k].nstep;
    char buf[256];
    size_t len = 0;
    for (size_t s = 0; s < T;) {
      if (!cmp[k].step_wrong[s]) {
        s++;
        continue;
      }
      size_t e = s;
      while (e + 1 < T && cmp[k].step_wrong[e + 1])
        e++;
      len += (size_t)(e > s ? snprintf(buf + len, sizeof buf - len, "%s%zu..%zu",
                                       len ? ", " : "", s + 1, e + 1)
                            : snprintf(buf + len, sizeof buf - len, "%s%zu",
                                       len ? ", " : "", s + 1));
      s = e + 1;
    }
    lab_say("%s is wrong at steps t = %s of %zu", R->t[k].name, buf, T);
  }
}

static void growth(const lab_item *it, const lab_result *R, const lab_cmp *cmp)
{
  int groups[8];
  double worst[8];
  size_t wrong[8], ng = 0;
  for (size_t k = 0; k < R->n; k++) {
    size_t g = 0;
    while (g < ng && groups[g] != R->t[k].group)
      g++;
    if (g == ng) {
      groups[ng] = R->t[k].group;
      worst[ng] = 0.0;
      wrong[ng++] = 0;
    }
    wrong[g] += cmp[k].all.wrong;
    if (cmp[k].all.wrong && !(cmp[k].all.worst <= worst[g]))
      worst[g] = cmp[k].all.worst;
  }
  char buf[512], b1[64];
  size_t len = 0;
  for (size_t g = 0; g < ng; g++)
    len += (size_t)(wrong[g]
      ? snprintf(buf + len, sizeof buf - len, "%s%s = %d: %zu wrong, worst %s",
                 g ? "; " : "", it->grows, groups[g], wrong[g], num(worst[g], b1, sizeof b1))
      : snprintf(buf + len, sizeof buf - len, "%s%s = %d: right", g ? "; " : "",
                 it->grows, groups[g]));
  lab_say("by sequence length: %s", buf);
  size_t first = 0;
  while (first < ng && !wrong[first])
    first++;
  if (first == ng)
    return;
  int grows = 1;
  for (size_t g = first + 1; g < ng; g++)
    if (!(worst[g] >= worst[g - 1] * 0.999) && isfinite(worst[g - 1]))
      grows = 0;
  if (first > 0)
    lab_say("right at %s = %d, wrong from %s = %d on: the mistake is in the "
            "time loop (what one step hands to the next), not in a step",
            it->grows, groups[0], it->grows, groups[first]);
  else if (ng > 1 && grows && worst[ng - 1] > 2.0 * worst[0])
    lab_say("wrong already at %s = %d, and worse for longer sequences: a "
            "mistake in each step that the time loop compounds", it->grows, groups[0]);
  else
    lab_say("wrong already at %s = %d, about as wrong for longer sequences: "
            "a mistake in what each step does, or in its inputs, more than in "
            "the loop", it->grows, groups[0]);
}

/* ---- equations ------------------------------------------------------------------- */

static void say_eq(int lab, const char *prefix, const char *text)
{
  int line = lab_eq_line(lab, text);
  if (line)
    lab_say("%slab/%s:%d:   %s", prefix, lab_labs[lab].file, line, text);
  else
    lab_say("%s%s   (in lab/%s)", prefix, text, lab_labs[lab].file);
}

/* HINT=2 for a mistake no mutant names: the equations of the wrong gate
 * blocks and tensors, each once. */
static void say_eqs_for(const lab_item *it, const lab_result *S,
                        const lab_result *R, const lab_cmp *cmp)
{
  const char *said[16];
  size_t nsaid = 0;
  merged m[LAB_MAX_TENSORS_RESULT];
  size_t n = merge(S, R, cmp, 0, m);
  for (const lab_eq *e = it->eqs; e && e->key; e++) {
    int hit = 0;
    for (size_t j = 0; j < n && !hit; j++) {
      if (!m[j].all.wrong)
        continue;
      const char *base = strrchr(m[j].t->name, '.');
      base = base ? base + 1 : m[j].t->name;
      if (!strcmp(e->key, m[j].t->name) || !strcmp(e->key, base))
        hit = 1;
      for (size_t g = 0; g < m[j].ngate && !hit; g++)
        if (m[j].gate[g].wrong && !strcmp(e->key, m[j].t->gates[g]))
          hit = 1;
    }
    int dup = 0;
    for (size_t s = 0; s < nsaid; s++)
      dup |= !strcmp(said[s], e->text);
    if (hit && !dup && nsaid < 16) {
      said[nsaid++] = e->text;
      say_eq(it->lab, "look at ", e->text);
    }
  }
  if (!nsaid)
    for (const lab_eq *e = it->eqs; e && e->key; e++)
      if (!*e->key) {
        say_eq(it->lab, "look at ", e->text);
        break;
      }
}

/* ---- the grading ------------------------------------------------------------------- */

static void todo_hook(const char *fn)
{
  if (lab_sh && !lab_sh->todo[0])
    snprintf(lab_sh->todo, sizeof lab_sh->todo, "%s", fn);
}

static void brief(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void brief(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(lab_sh->brief, sizeof lab_sh->brief, fmt, ap);
  va_end(ap);
}

int lab_grade(const lab_item *it, const lab_impl *student)
{
  static lab_result R, S, M;
  lab_cmp cmp[LAB_MAX_TENSORS_RESULT];
  const lab_mutant *differs[64];
  lab_result *mres = NULL;
  size_t nm = 0;
  lab_todo_hook = todo_hook;

  if (!it->judge) {
    lab_sh->phase = 1;                                   /* the reference */
    it->run(&R, &lab_reference);
    lab_sh->phase = 2;                                   /* the mutants */
    mres = calloc(64, sizeof *mres);
    for (const lab_mutant *mu = lab_mutants;
         mu->id && mres && nm < 64 && !it->no_naming; mu++) {
      if (mu->lab != it->lab)
        continue;
      lab_result_clear(&M);
      it->run(&M, &mu->impl);
      if (lab_compare(&M, &R, NULL)) {
        differs[nm] = mu;
        mres[nm++] = M;
        memset(&M, 0, sizeof M);          /* kept: mres owns the data now */
      }
    }
  }
  lab_sh->phase = 3;                                     /* the student's code */
  lab_sh->depth = 0;
  lab_sh->used_ref = 0;       /* what the mutants called is not the student's */
  lab_sh->gsl_error[0] = '\0';
  it->run(&S, student);
  lab_sh->phase = 4;

  if (lab_sh->todo[0]) {
    lab_say("not written yet: %s still calls LAB_TODO()", lab_sh->todo);
    brief("not written yet (%s)", lab_sh->todo);
    if (lab_hint >= 1)
      lab_say("hint: %s", it->hint);
    if (lab_hint >= 2)
      for (const lab_eq *e = it->eqs; e && e->key; e++)
        if (!*e->key) {
          say_eq(it->lab, "start from ", e->text);
          break;
        }
    return LAB_TODO;
  }

  if (it->judge) {
    int st = it->judge(&S);
    brief("%s", st == LAB_PASS ? "learned" : "not learned");
    if (st != LAB_PASS && lab_hint >= 1)
      lab_say("hint: %s", it->hint);
    return st;
  }

  size_t wrong = lab_compare(&S, &R, cmp);
  if (!wrong && !lab_sh->gsl_error[0]) {
    brief("right");
    return LAB_PASS;
  }
  if (lab_sh->gsl_error[0])
    lab_say("GSL reported an error while your code ran: %s", lab_sh->gsl_error);
  if (wrong) {
    lab_say("wrong (%s):", it->sizes);
    int last = it->grows ? R.t[R.n - 1].group : 0;
    if (it->grows)
      lab_say("at %s = %d:", it->grows, last);
    table(&S, &R, cmp, last);
    if (it->grows) {
      steps_line(&R, cmp, last);
      growth(it, &R, cmp);
    }
  }
  const lab_mutant *hit = NULL;
  for (size_t k = 0; k < nm && !hit; k++)
    if (!lab_compare(&S, &mres[k], NULL))
      hit = differs[k];
  if (hit) {
    snprintf(lab_sh->mutant, sizeof lab_sh->mutant, "%s", hit->id);
    lab_say("known mistake: %s", hit->title);
    say_eq(it->lab, "the equation: ", hit->eq);
    if (lab_hint >= 1)
      lab_say("hint: %s", hit->hint);
    brief("known mistake %s: %s", hit->id, hit->title);
  } else {
    if (wrong && it->no_naming)
      lab_say("the items before this one say which of your functions is wrong");
    else if (wrong)
      lab_say("no known mistake gives these numbers; the table says where they differ");
    if (lab_hint >= 1)
      lab_say("hint: %s", it->hint);
    if (lab_hint >= 2)
      say_eqs_for(it, &S, &R, cmp);
    /* the brief: the wrong tensors and gate blocks */
    merged m[LAB_MAX_TENSORS_RESULT];
    size_t n = merge(&S, &R, cmp, it->grows ? R.t[R.n - 1].group : 0, m);
    char buf[256] = "";
    size_t len = 0;
    for (size_t j = 0; j < n && len < sizeof buf - 40; j++) {
      if (!m[j].all.wrong)
        continue;
      len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "",
                              m[j].t->name);
      for (size_t g = 0; g < m[j].ngate; g++)
        if (m[j].gate[g].wrong)
          len += (size_t)snprintf(buf + len, sizeof buf - len, ":%s", m[j].t->gates[g]);
    }
    if (!wrong)
      brief("GSL error: %s", lab_sh->gsl_error);
    else
      brief("wrong: %s", buf);
  }
  return LAB_FAIL;
}
