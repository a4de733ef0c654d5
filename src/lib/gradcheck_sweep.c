/* gradcheck_sweep.c -- the step sweep: for one entry, forward, central
 * and complex-step estimates at h = 1e-1, 1e-2, ..., 1e-20, each measured
 * against the analytic value.  Truncation error falls with h, rounding
 * error grows as eps/h: the V-curve of chapter 5.  Any loss of the engine
 * can be swept (gradcheck_loss.h). */
#include <config.h>
#include "grulab.h"
#include "gradcheck_loss.h"

#include <math.h>
#include <string.h>

int grl_gc_sweep(grl_gradcheck_sweep_result *res, const grl_gc_loss *L,
                 const char *cell, const char *tensor, size_t at)
{
  memset(res, 0, sizeof *res);
  const grl_gc_tensor *t = NULL;
  for (size_t i = 0; i < L->ntensor && !t; i++)
    if (tensor ? strcmp(L->tensor[i].name, tensor) == 0
               : L->tensor[i].kind == GRL_GC_K_PARAM)
      t = &L->tensor[i];
  if (!t)
    return grl_fail(GRL_EINVAL, "gradcheck sweep: cell %s has no tensor "
                    "'%s'", cell, tensor ? tensor : "");
  if (at == (size_t)-1) {
    at = 0;   /* the entry of largest |analytic| */
    for (size_t k = 1; k < t->size; k++)
      if (fabs(t->grad[k]) > fabs(t->grad[at]))
        at = k;
  } else if (at >= t->size) {
    return grl_fail(GRL_EINVAL, "gradcheck sweep: index %zu is out of range "
                    "for '%s' (%zu entries)", at, t->name, t->size);
  }
  void *w = L->ws_alloc(L);
  if (!w)
    return grl_fail(GRL_ENOMEM, "gradcheck sweep: out of memory");
  grl_gc_entry e = L->entry(L, t, at);
  snprintf(res->tensor, sizeof res->tensor, "%s", t->name);
  res->at = at;
  res->theta = t->value[at];
  res->analytic = t->grad[at];
  /* The reference is the analytic value: independent of all three
   * estimates, so none of them is measured against itself. */
  res->reference = res->analytic;
  double cost = 0.0, ae;
  const double ref = res->reference;
  int st = GRL_OK;
  /* relative error against the reference (absolute if it is 0) */
#define ERR(x) (ref != 0.0 ? fabs((x) - ref) / fabs(ref) : fabs(x))
  for (int k = 0; k < GRL_GRADCHECK_SWEEP_N && !st; k++) {
    const double h = pow(10.0, -(double)(k + 1));   /* 1e-1 .. 1e-20 */
    res->h[k] = h;
    st = grl_gc_numeric(L, w, &e, GRL_GC_FORWARD, h, &res->forward[k], &ae, &cost);
    if (!st)
      st = grl_gc_numeric(L, w, &e, GRL_GC_CENTRAL, h, &res->central[k], &ae, &cost);
    if (!st)
      st = grl_gc_numeric(L, w, &e, GRL_GC_COMPLEX, h, &res->complex_step[k], &ae,
                          &cost);
    res->err_forward[k] = ERR(res->forward[k]);
    res->err_central[k] = ERR(res->central[k]);
    res->err_complex_step[k] = ERR(res->complex_step[k]);
  }
#undef ERR
  L->ws_free(w);
  if (st)
    return grl_fail(st, "gradcheck sweep: the forward pass failed when "
                    "perturbing %s entry %zu", res->tensor, at);
  return GRL_OK;
}
