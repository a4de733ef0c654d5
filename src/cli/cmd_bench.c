/* cmd_bench.c -- grulab bench: the time of one forward plus full BPTT.
 *
 *   grulab bench --cell C --input-size I --hidden-size H --batch B
 *                --seq-len T [--iters N] [--seed S] [--peak]
 *
 * Random parameters and data from the seed; a few warm-up runs, then N
 * timed ones; the last line gives the median and the GEMM GFLOP/s.  With
 * --peak, a square dgemm through the same CBLAS first, so that the bench
 * line carries its own efficiency; with --plain, the sequence driver's
 * plain path (GRL_SEQ_PLAIN) instead of the fast backend's. */
#include <config.h>
#include "cli.h"
#include "grl_blascore.h"

#include <gsl/gsl_blas.h>
#include <math.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <stdlib.h>

#define BENCH_WARMUP 3
#define BENCH_ITERS 20
#define STR(x) STR_(x)
#define STR_(x) #x

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
    "Usage: grulab bench --cell C --input-size I --hidden-size H --batch B\n"
    "                    --seq-len T [--iters N] [--seed S] [--peak]\n"
    "Time one forward pass plus full BPTT of cell C over a (T, B) batch of\n"
    "random sequences: %d warm-up runs, then N timed runs (default %d).\n"
    "The last line is\n"
    "  bench cell=C T=.. B=.. I=.. H=.. median_ms=X gflops=Y\n"
    "where X is the median wall time of one forward + backward in ms, and\n"
    "Y counts only the GEMM flops:\n"
    "  flops = 6*T*B*G*H*(I+H)\n"
    "(forward: the input and recurrent products, 2*T*B*G*H*(I+H); backward:\n"
    "the weight gradients and the input/state gradients, twice that), with\n"
    "G the cell's gate blocks:"
    , BENCH_WARMUP, BENCH_ITERS);
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    fprintf(f, "%s %s G=%zu", c == grl_cell_all() ? "" : ",",
            grl_cell_name(*c), (*c)->G);
  fprintf(f, ".\n"
    "With --peak, a line before it times C = A B for square n x n matrices\n"
    "through the same CBLAS, n the cube root of the run's largest product,\n"
    "(G*H) x (T*B) x max(I, H), and takes the fastest of its runs:\n"
    "  peak dgemm n=.. best_ms=X gflops=P kernels=K\n"
    "and the bench line ends with efficiency=Y/P.  The peak is the machine's\n"
    "only when OpenBLAS runs the best kernels this CPU runs (grulab sees to\n"
    "that unless OPENBLAS_CORETYPE says otherwise); when it does not, the\n"
    "peak line ends with below_best=BEST and the bench line has no\n"
    "efficiency.\n\n");
  grl_opt_help(f, opts);
  fprintf(f, "\n");
  cli_help_cells(f);
  fprintf(f, "\nBLAS in use: %s.\n"
             "Exit status: 0 success, 1 failure, 2 bad flags.\n",
          GRL_BLAS_NAME);
}

/* Milliseconds on the library's clock. */
static double now_ms(void)
{
  return 1e3 * grl_seconds();
}


/* The best time of C = A B for random n x n matrices: 2 warm-up runs and
 * 7 timed ones (a peak is the best rate the kernels reach). */
static int peak_dgemm(size_t n, gsl_rng *r, double *best_ms)
{
  enum { WARM = 2, RUNS = 7 };
  gsl_matrix *A = gsl_matrix_alloc(n, n), *Bm = gsl_matrix_alloc(n, n),
             *C = gsl_matrix_alloc(n, n);
  int st = A && Bm && C ? GRL_OK
         : grl_fail(GRL_ENOMEM, "out of memory for a %zu x %zu dgemm", n, n);
  double ms[RUNS];
  if (!st) {
    for (size_t k = 0; k < n * n; k++) {
      A->data[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
      Bm->data[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    }
    for (int it = 0; it < WARM + RUNS; it++) {
      double t0 = now_ms();
      gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, A, Bm, 0.0, C);
      double t1 = now_ms();
      if (it >= WARM)
        ms[it - WARM] = t1 - t0;
    }
    gsl_sort(ms, 1, RUNS);
    *best_ms = ms[0];
  }
  if (A)
    gsl_matrix_free(A);
  if (Bm)
    gsl_matrix_free(Bm);
  if (C)
    gsl_matrix_free(C);
  return st;
}

int cmd_bench(int argc, char **argv)
{
  const char *cmd = argv[0];
  const grl_cell *cell = NULL;
  size_t I = 0, H = 0, B = 0, T = 0, N = BENCH_ITERS;
  unsigned long seed = 1;
  int peak = 0, plain = 0;
  const grl_opt opts[] = {
    CLI_OPT_CELL(&cell),
    CLI_OPT_SIZES(&I, &H),
    {"batch", GRL_OPT_SIZE, &B, "B", .help = "sequences per batch, B >= 1",
     .lo = 1, .flags = GRL_OPT_REQUIRED},
    {"seq-len", GRL_OPT_SIZE, &T, "T", .help = "sequence length, T >= 1",
     .lo = 1, .flags = GRL_OPT_REQUIRED},
    {"iters", GRL_OPT_SIZE, &N, "N",
     .help = "timed runs, N >= 1 (default " STR(BENCH_ITERS) ")", .lo = 1},
    {"seed", GRL_OPT_ULONG, &seed, "S",
     .help = "seed of the random parameters and data (default 1);\n"
     "GSL's mt19937 takes seed 0 as 4357"},
    {"peak", GRL_OPT_FLAG, &peak, NULL,
     .help = "also time a square dgemm of comparable size (above)"},
    {"plain", GRL_OPT_FLAG, &plain, NULL,
     .help = "time the plain path: every product one CBLAS call, the\n"
     "batch one block (GRL_SEQ_PLAIN)"},
    CLI_OPT_OLD_STEPS,
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;

  grl_model *m = NULL;
  grl_seq *s = NULL;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  double *x = NULL;       /* (T*B, I) random input            */
  double *dout = NULL;    /* (T*B, H) random dL/doutput       */
  double *dtheta = NULL;  /* (n) parameter gradients          */
  double *dx = NULL;      /* (T*B, I) input gradients         */
  double *dh0 = NULL;     /* (B, H)                           */
  double *ms = NULL;      /* (N) wall time of each timed run  */
  int st = r ? GRL_OK : grl_fail(GRL_ENOMEM, "out of memory");
  if (!st)
    st = grl_model_alloc(&m, cell, I, H, 0);
  if (!st)
    st = grl_seq_alloc_flags(&s, m, T, B, plain ? GRL_SEQ_PLAIN : 0);
  if (!st) {
    x = malloc(T * B * I * sizeof *x);
    dout = malloc(T * B * H * sizeof *dout);
    dtheta = calloc(m->n, sizeof *dtheta);
    dx = calloc(T * B * I, sizeof *dx);
    dh0 = calloc(B * H, sizeof *dh0);
    ms = calloc(N, sizeof *ms);
    if (!x || !dout || !dtheta || !dx || !dh0 || !ms)
      st = grl_fail(GRL_ENOMEM, "out of memory for T=%zu B=%zu I=%zu H=%zu",
                    T, B, I, H);
  }
  if (!st) {
    gsl_rng_set(r, seed);
    grl_model_init_uniform(m, r);
    for (size_t k = 0; k < T * B * I; k++)
      x[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
    for (size_t k = 0; k < T * B * H; k++)
      dout[k] = 2.0 * gsl_rng_uniform(r) - 1.0;
  }
  for (size_t it = 0; !st && it < BENCH_WARMUP + N; it++) {
    double t0 = now_ms();
    st = grl_seq_forward(s, NULL, x, NULL, NULL);
    if (!st)
      st = grl_seq_backward(s, NULL, x, dout, NULL, NULL, dtheta, dx, dh0,
                            NULL);
    double t1 = now_ms();
    if (it >= BENCH_WARMUP)
      ms[it - BENCH_WARMUP] = t1 - t0;
  }
  /* The yardstick: a square dgemm whose flops match the run's largest
   * product, timed like the bench (warm-up, then the median). */
  double peak_gflops = 0.0, peak_ms = 0.0;
  size_t pn = 0;
  if (!st && peak) {
    double big = (double)(cell->G * H) * (double)(T * B) * (double)(I > H ? I : H);
    pn = (size_t)llround(cbrt(big));
    if (pn < 16)
      pn = 16;
    st = peak_dgemm(pn, r, &peak_ms);
    if (!st)
      peak_gflops = 2.0 * (double)pn * (double)pn * (double)pn / (peak_ms * 1e6);
  }
  if (!st) {
    gsl_sort(ms, 1, N);
    const double median = gsl_stats_median_from_sorted_data(ms, 1, N);
    const double flops = grl_seq_flops(m, T, B);
    FILE *f = cli_stdout_begin();
    if (!f) {
      st = grl_fail(GRL_ENOMEM, "out of memory");
    } else {
      const double gflops = median > 0 ? flops / (median * 1e6) : 0.0;
      const char *from = NULL, *core = grl_blas_core(&from);
      const int below = grl_blas_below_best() == 1;
      fprintf(f, "# grulab bench: BLAS=%s%s%s%s vmath=%s path=%s warmup=%d "
                 "iters=%zu min_ms=%.4f max_ms=%.4f flops=%.6g "
                 "(6*T*B*G*H*(I+H))\n",
              GRL_BLAS_NAME, core ? " core=" : "", core ? core : "",
              from ? "(set-by-grulab)" : "", grl_vmath_name(),
              plain ? "plain" : "fast", BENCH_WARMUP, N, ms[0], ms[N - 1],
              flops);
      if (peak) {
        fprintf(f, "peak dgemm n=%zu best_ms=%.4f gflops=%.3f kernels=%s", pn,
                peak_ms, peak_gflops, core ? core : GRL_BLAS_NAME);
        if (below)
          fprintf(f, " below_best=%s", grl_blas_best_core());
        fprintf(f, "\n");
      }
      fprintf(f, "bench cell=%s T=%zu B=%zu I=%zu H=%zu median_ms=%.4f "
                 "gflops=%.3f", grl_cell_name(cell), T, B, I, H, median,
              gflops);
      if (peak && !below)
        fprintf(f, " efficiency=%.3f", gflops / peak_gflops);
      fprintf(f, "\n");
    }
  }
  free(x);
  free(dout);
  free(dtheta);
  free(dx);
  free(dh0);
  free(ms);
  grl_seq_free(s);
  grl_model_free(m);
  gsl_rng_free(r);
  return cli_end(cmd, st, CLI_OK);
}
