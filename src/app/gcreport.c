/* gcreport.c -- a gradient check's report as a table, one row per
 * tensor, the way `grulab gradcheck` and chapter 5 print it
 * (grl_gcreport.h):
 *
 *   # cell gru, method central: (L(t+h) - L(t-h)) / 2h
 *   # ... the loss, the step, the tolerance, the floor
 *   tensor        shape    checked  worst_rel  index     analytic   numeric   ok
 *   weight_ih_l0  12x3          36   1.23e-10  [4,2]     ...        ...       ok
 *   weight_o      4x7           28          0  -         exactly zero on both sides (not a failure)
 *
 * The library fills the report; printing it is the programs' job. */
#include <config.h>
#include "grl_gcreport.h"

#include <math.h>
#include <string.h>

static const char *const formula[GRL_GC_NMETHOD] = {
  "(L(t+h) - L(t)) / h",
  "(L(t+h) - L(t-h)) / 2h",
  "gsl_deriv_central, Richardson on a 5-point rule; abserr is GSL's estimate",
  "Im L(t+ih) / h, the forward pass in double _Complex"};

int grl_gradcheck_report_write(FILE *f, const grl_gradcheck_report *rep)
{
  const int gsl = rep->method == GRL_GC_GSL;
  fprintf(f, "# gradcheck: cell %s, method %s: %s\n", rep->cell,
          grl_gradcheck_method_name(rep->method), formula[rep->method]);
  fprintf(f, "# T=%zu B=%zu I=%zu H=%zu; L = %s = %.17g\n", rep->T, rep->B,
          rep->I, rep->H, rep->formula, rep->loss);
  fprintf(f, "# step h = %.3g * max(1,|theta|)%s; tolerance %.3g\n", rep->step,
          gsl ? " (GSL's initial step; it adapts it)" : "", rep->tolerance);
  if (rep->floor_rel > 0)
    fprintf(f, "# rel = |a-n| / max(|a|+|n|, floor), floor = max(%.3g * S, "
            "%.3g), S = max |gradient| over the tensor\n", rep->floor_rel,
            rep->floor_abs);
  else
    fprintf(f, "# rel = |a-n| / max(|a|+|n|, floor), fixed floor = %.3g "
            "(not tied to the tensor's scale)\n", rep->floor_abs);
  fprintf(f, "%-14s %-10s %8s %10s  %-11s %24s %24s%s  %s\n", "tensor", "shape",
          "checked", "worst_rel", "index", "analytic", "numeric",
          gsl ? "  gsl_abserr" : "", "ok");
  for (size_t i = 0; i < rep->nrow; i++) {
    const grl_gradcheck_row *w = &rep->row[i];
    char shp[64], idx[64];
    grl_shape_format(shp, sizeof shp, w->ndim, w->dims);
    if (w->all_zero) {
      /* not a failure of this tensor -- unless no tensor had anything else */
      fprintf(f, "%-14s %-10s %8zu %10s  %-11s %s\n", w->name, shp, w->checked,
              "0", "-", rep->nzero < rep->checked
              ? "exactly zero on both sides (not a failure)"
              : "exactly zero on both sides");
      continue;
    }
    grl_gradcheck_index_format(w, w->worst_at, idx, sizeof idx);
    fprintf(f, "%-14s %-10s %8zu %10.3g  %-11s %24.17g %24.17g", w->name, shp,
            w->checked, w->worst, idx, w->analytic, w->numeric);
    if (gsl)
      fprintf(f, "  %10.3g", w->abserr);
    fprintf(f, "  %s\n", w->pass ? "ok" : "FAIL");
    if (w->nzero)
      fprintf(f, "#   %s: %zu of %zu entries exactly zero on both sides (not "
              "failures)\n", w->name, w->nzero, w->checked);
  }
  fprintf(f, "# %zu entries checked (%zu exactly zero on both sides); %.1f "
          "forward passes\n", rep->checked, rep->nzero, rep->passes);
  if (rep->nzero == rep->checked)
    fprintf(f, "# FAIL: nothing was compared: every one of the %zu checked "
            "entries is exactly zero on both sides (saturated units?), so "
            "this check shows nothing\n", rep->checked);
  if (gsl) {
    double m = 0.0;
    for (size_t i = 0; i < rep->nrow; i++)
      m = fmax(m, rep->row[i].max_abserr);
    fprintf(f, "# largest gsl_deriv_central abserr over all entries: %.3g\n", m);
  }
  return ferror(f) ? grl_fail(GRL_EIO, "gradcheck: could not write the report")
                   : GRL_OK;
}

void grl_gradcheck_report_summary(const grl_gradcheck_report *rep, char *buf,
                                  size_t len)
{
  snprintf(buf, len, "worst relative error: %.3g (cell %s, method %s, step "
           "%.3g, %zu entries)", rep->worst, rep->cell,
           grl_gradcheck_method_name(rep->method), rep->step, rep->checked);
}
