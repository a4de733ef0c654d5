/* cmd_train.c -- grulab train: a cell and a readout on a task, one
 * training session (grl_session_run) whatever the task:
 *
 *   grulab train --task adding --cell C --seq-len T [options]
 *   grulab train --task copy --cell C --delay T [options]
 *   grulab train --task text [--text FILE] [--bptt T] [options]
 *
 * adding and copy learn with full BPTT and end with a test on 1000 fresh
 * sequences, the last line
 *   test mse X (baseline 0.1667)       (test xent for copy)
 * text is a character-level language model trained with truncated BPTT
 * (src/include/grl_text.h); its last line is
 *   valid bpc X (unigram U, bigram G, Witten-Bell N at order K, Kneser-Ney M at order J) */
#include <config.h>
#include "cli.h"
#include "grl_compress.h"
#include "grl_progress.h"
#include "grl_stop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void help(FILE *f, const grl_opt *opts)
{
  fprintf(f,
"Usage: grulab train --task adding --cell C --seq-len T [OPTION]...\n"
"       grulab train --task copy --cell C --delay T [OPTION]...\n"
"       grulab train --task text [--text FILE] [OPTION]...\n"
"Train a recurrent cell with a linear readout, then test it.\n"
"\n"
"adding  values ~ U[0,1] and two markers, one in each half of a sequence\n"
"        of T steps; predict the sum of the two marked values.  Always\n"
"        answering 1 scores MSE 1/6 = 0.1667, the baseline to beat.\n"
"copy    reproduce 10 symbols after a delay of T blanks; the memoryless\n"
"        cross-entropy is 10 ln 8 / (T + 20).\n"
"        Both learn with full backpropagation through time and are tested\n"
"        on 1000 fresh sequences; the last line is\n"
"          test mse X (baseline 0.1667)     (copy: test xent)\n"
"text    a character-level language model: the cell reads the text byte\n"
"        by byte and a softmax readout predicts the next byte at every\n"
"        step.  The first 90%% of the bytes train, the last 10%% validate;\n"
"        the default text holds out whole files instead: GSL's special\n"
"        functions' headers gsl_sf*.h validate, the others train.\n"
"        Training is truncated BPTT: B streams at evenly spaced offsets,\n"
"        windows of T bytes, the state carried from one window to the\n"
"        next, the gradient stopped at the window's start.  Prints the\n"
"        split's duplicate share (validation 8-grams seen in training),\n"
"        the baselines (unigram, bigram, interpolated Witten-Bell and\n"
"        Kneser-Ney n-grams of orders 1 to 8, gzip -9, xz -9), then ends\n"
"        with (N, M: each n-gram ladder's best bpc, at order K, J)\n"
"          valid bpc X (unigram U, bigram G, Witten-Bell N at order K,\n"
"          Kneser-Ney M at order J)\n"
"        in bits per character on the validation split.\n"
"\n");
  grl_opt_help(f, opts);
  fprintf(f,
"\n"
"Progress goes to stderr once a second when stderr is a terminal.  A NaN or\n"
"Inf loss or gradient stops training with exit status 1; --save and --log\n"
"then still get the last parameters whose loss and gradient were finite.\n"
"SIGINT (Ctrl-C) or SIGTERM stops training after the step under way: --save\n"
"and --log are written whole, one line says where it stopped, and the exit\n"
"status is 130 (SIGTERM: 143).  A second signal stops at once and leaves\n"
"--save and --log as they were before the run.\n"
"Exit status: 0 success, 1 failure (bad data, NaN), 2 bad flags.\n"
"Examples: grulab train --task adding --cell gru --seq-len 50 --seed 5\n"
"          grulab train --task text --steps 300 --save gsl.params\n\n");
  cli_help_cells(f);
}

/* The command line, after the defaults that depend on the task. */
typedef struct {
  const char *task, *textpath, *optimizer, *save, *logpath;
  const grl_cell *cell;
  size_t T, H, B, steps;     /* T: adding's length, copy's delay, text's window */
  size_t layers;             /* stacked layers L                        */
  double lr, clip, wd;        /* wd: weight decay                      */
  double dropout;            /* p in [0, 1)                             */
  const char *dropout_kind;  /* "standard" or "variational"             */
  unsigned long seed;
  int text;                  /* the task is text                        */
} train_args;

static const char *const tasks[] = {"adding", "copy", "text", NULL};

/* Parse argv into a; -1 to go on, or an exit status. */
static int parse(int argc, char **argv, train_args *a)
{
  size_t seq_len = 0, delay = 0, bptt = 0, length = 0;
  int seen_cell = 0, seen_text = 0, seen_H = 0, seen_B = 0, seen_steps = 0,
      seen_lr = 0, seen_clip = 0, seen_len = 0, seen_delay = 0,
      seen_bptt = 0, seen_length = 0, seen_wd = 0, seen_dropout = 0,
      seen_kind = 0;
  static const char *const dropout_kinds[] = {"standard", "variational",
                                              NULL};
  memset(a, 0, sizeof *a);
  a->task = "adding";
  a->optimizer = "adam";
  a->layers = 1;
  a->dropout_kind = "standard";
  a->seed = 1;
  const grl_opt opts[] = {
    {"task", GRL_OPT_CHOICE, &a->task, "NAME",
     .help = "adding (default), copy or text", .choices = tasks},
    {"cell", GRL_OPT_CALL, &a->cell, "C",
     .help = "the cell (Cells, below; required, but text's default\n"
     "is gru)", .set = cli_set_cell, .seen = &seen_cell},
    {"seq-len", GRL_OPT_SIZE, &seq_len, "T",
     .help = "adding: the sequence length, T >= 2 (required)", .lo = 2,
     .seen = &seen_len},
    {"delay", GRL_OPT_SIZE, &delay, "T",
     .help = "copy: blanks between the symbols and their recall,\n"
     "T >= 1 (required)", .lo = 1, .seen = &seen_delay},
    {"bptt", GRL_OPT_SIZE, &bptt, "T",
     .help = "text: the window of truncated BPTT (default 64)", .lo = 1,
     .seen = &seen_bptt},
    {"text", GRL_OPT_STRING, &a->textpath, "FILE",
     .help = "text: the text (default: GSL's headers\n"
     GRL_TEXT_DEFAULT_GLOB ", concatenated in sorted order)",
     .seen = &seen_text},
    {"hidden-size", GRL_OPT_SIZE, &a->H, "H",
     .help = "hidden units (default 32; text 128)", .lo = 1, .seen = &seen_H},
    {"layers", GRL_OPT_SIZE, &a->layers, "L",
     .help = "stacked layers, each layer's h sequence the next\n"
     "one's input (PyTorch's num_layers; default 1)", .lo = 1,
     .hi = GRL_MAX_LAYERS},
    {"batch", GRL_OPT_SIZE, &a->B, "B",
     .help = "sequences per step (default 50); text: parallel\n"
     "streams (default 32)", .lo = 1, .seen = &seen_B},
    {"steps", GRL_OPT_SIZE, &a->steps, "N",
     .help = "optimiser steps, N >= 1 (default 3000; text 800, one\n"
     "window of every stream each)", .lo = 1, .seen = &seen_steps},
    {"optimizer", GRL_OPT_CALL, &a->optimizer, "NAME",
     .help = "adam (default), adamw, rmsprop, momentum, sgd or\n"
     "adagrad; the "
     "update formulas are PyTorch's (momentum: mu = 0.9)",
     .set = cli_set_optimizer},
    {"dropout", GRL_OPT_DOUBLE, &a->dropout, "P",
     .help = "dropout probability P in [0, 1) while training,\n"
     "inverted (kept units scaled by 1/(1-P)), so testing\n"
     "runs without it (default 0: none)", .lo = 0, .hi = 1,
     .flags = GRL_OPT_MIN | GRL_OPT_BELOW, .seen = &seen_dropout},
    {"dropout-kind", GRL_OPT_CHOICE, &a->dropout_kind, "K",
     .help = "standard (default): a fresh mask every step, on the\n"
     "inputs of every layer and the output, not on the\n"
     "recurrent connections (Zaremba et al. 2014);\n"
     "variational: one mask per sequence, reused at every\n"
     "step, on those and on the recurrent state h_{t-1}\n"
     "(Gal and Ghahramani 2016)", .choices = dropout_kinds,
     .seen = &seen_kind},
    {"weight-decay", GRL_OPT_DOUBLE, &a->wd, "X",
     .help = "weight decay X >= 0: decoupled with --optimizer adamw\n"
     "(theta *= 1 - lr X before Adam's step; Loshchilov and\n"
     "Hutter 2019), L2 in the loss with the others (the\n"
     "gradient of (X/2)||theta||^2 added after clipping);\n"
     "torch.optim's weight_decay (default 0; adamw 0.01)",
     .lo = 0, .flags = GRL_OPT_MIN, .seen = &seen_wd},
    {"lr", GRL_OPT_DOUBLE, &a->lr, "X",
     .help = "learning rate (default 0.001; text 0.003)", .lo = 0,
     .flags = GRL_OPT_ABOVE, .seen = &seen_lr},
    {"clip", GRL_OPT_DOUBLE, &a->clip, "X",
     .help = "clip the gradient to global norm X (Pascanu et al.\n"
     "2013, Algorithm 1); 0 turns clipping off (default 1;\n"
     "text 5)", .lo = 0, .flags = GRL_OPT_MIN, .seen = &seen_clip},
    {"seed", GRL_OPT_ULONG, &a->seed, "S",
     .help = "seed of the initialisation and the training batches;\n"
     "the test sequences have their own generator (default 1);\n"
     "GSL's mt19937 takes seed 0 as 4357, so 0 and 4357 agree"},
    {"save", GRL_OPT_STRING, &a->save, "FILE",
     .help = "write the trained parameters (tensor format, readout\n"
     "included; text: and the vocabulary, for grulab sample);\n"
     "written whole or not at all"},
    {"log", GRL_OPT_STRING, &a->logpath, "FILE",
     .help = "write the learning curve as a .dat: step, loss (text:\n"
     "bits per character), gradient norm before clipping,\n"
     "update norm, clipped, seconds"},
    {"length", GRL_OPT_SIZE, &length, "T",
     .help = "--seq-len (adding), --delay (copy) or --bptt (text)",
     .lo = 1, .flags = GRL_OPT_OLD, .seen = &seen_length},
    CLI_OPT_END};
  int rc = cli_options(opts, argc, argv, help);
  if (rc >= 0)
    return rc;
  a->text = strcmp(a->task, "text") == 0;
  const int copy = strcmp(a->task, "copy") == 0;

  /* --length is the task's length, whichever name it has now. */
  if (seen_length) {
    const char *now = a->text ? "--bptt" : copy ? "--delay" : "--seq-len";
    char note[160], said[64];
    snprintf(said, sizeof said, "%s for --task %s", now, a->task);
    grl_opt_renamed(note, sizeof note, "length", said);
    cli_error("train: %s", note);
    if (!a->text && !copy && length < 2) {
      cli_error("train: --seq-len must be between 2 and %d, got %zu",
                GRL_SIZE_MAX, length);
      return CLI_USAGE;
    }
    *(a->text ? &bptt : copy ? &delay : &seq_len) = length;
    *(a->text ? &seen_bptt : copy ? &seen_delay : &seen_len) = seen_length;
  }
  /* Each task's own options, and no other task's. */
  const struct { int seen; const char *flag; int wants; } own[] = {
    {seen_len, "--seq-len", !a->text && !copy}, {seen_delay, "--delay", copy},
    {seen_bptt, "--bptt", a->text}, {seen_text, "--text", a->text}};
  for (size_t k = 0; k < sizeof own / sizeof own[0]; k++)
    if (own[k].seen && !own[k].wants) {
      cli_error("train: %s does not apply to --task %s (adding: --seq-len; "
                "copy: --delay; text: --bptt and --text)", own[k].flag,
                a->task);
      return CLI_USAGE;
    }
  if (!a->text && !seen_cell) {
    cli_error("train: --cell C is required; try 'grulab train --help'");
    return CLI_USAGE;
  }
  if ((!a->text && !copy && !seen_len) || (copy && !seen_delay)) {
    cli_error("train: --task %s needs %s; try 'grulab train --help'", a->task,
              copy ? "--delay T (the blanks before the recall)"
                   : "--seq-len T (the sequence length)");
    return CLI_USAGE;
  }
  /* The defaults that depend on the task: text's are chapter 9's size,
   * chosen by measurement (README, chapter 9). */
  a->T = a->text ? (seen_bptt ? bptt : 64) : copy ? delay : seq_len;
  if (!seen_cell)
    a->cell = &grl_cell_gru;
  if (!seen_H)
    a->H = a->text ? 128 : 32;
  if (!seen_B)
    a->B = a->text ? 32 : 50;
  if (!seen_steps)
    a->steps = a->text ? 800 : 3000;
  if (!seen_lr)
    a->lr = a->text ? 3e-3 : 1e-3;
  if (!seen_clip)
    a->clip = a->text ? 5.0 : 1.0;
  if (seen_kind && a->dropout == 0.0) {
    cli_error("train: --dropout-kind %s needs --dropout P > 0",
              a->dropout_kind);
    return CLI_USAGE;
  }
  (void)seen_dropout;
  if (!seen_wd)   /* torch.optim.AdamW's default; no decay for the others */
    a->wd = strcmp(a->optimizer, "adamw") == 0 ? 1e-2 : 0.0;
  return -1;
}

/* "task=adding cell=gru T=12 ...": the run, as the log and stdout name it. */
static void describe_run(char *buf, size_t len, const train_args *a,
                         const grl_text *text);
static void describe(char *buf, size_t len, const train_args *a,
                     const grl_text *text)
{
  describe_run(buf, len, a, text);
  /* what is not the default, appended */
  if (a->layers > 1)
    snprintf(buf + strlen(buf), len - strlen(buf), " layers=%zu", a->layers);
  if (a->dropout > 0.0)
    snprintf(buf + strlen(buf), len - strlen(buf), " dropout=%g (%s)",
             a->dropout, a->dropout_kind);
  if (a->wd != 0.0)
    snprintf(buf + strlen(buf), len - strlen(buf), " weight_decay=%g (%s)",
             a->wd, strcmp(a->optimizer, "adamw") == 0 ? "decoupled" : "L2");
}

static void describe_run(char *buf, size_t len, const train_args *a,
                         const grl_text *text)
{
  if (a->text)
    snprintf(buf, len, "task=text text=%s cell=%s H=%zu T=%zu B=%zu steps=%zu optimizer=%s lr=%g clip=%g seed=%lu blas=%s",
             text->name, grl_cell_name(a->cell), a->H, a->T, a->B, a->steps,
             a->optimizer, a->lr, a->clip, a->seed, GRL_BLAS_NAME);
  else
    snprintf(buf, len, "task=%s cell=%s T=%zu H=%zu B=%zu steps=%zu optimizer=%s lr=%g clip=%g seed=%lu blas=%s",
             a->task, grl_cell_name(a->cell), a->T, a->H, a->B, a->steps,
             a->optimizer, a->lr, a->clip, a->seed, GRL_BLAS_NAME);
}

static void write_log(FILE *f, const train_args *a, const char *run,
                      const grl_train_stat *log, size_t n)
{
  fprintf(f, "# grulab train learning curve%s\n# %s\n"
             "# step %s grad_norm update_norm clipped seconds\n",
          a->text ? " (loss in bits per character)" : "", run,
          a->text ? "bpc" : "loss");
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%zu %.10g %.10g %.10g %d %.6f\n", log[i].step, log[i].loss,
            log[i].grad_norm, log[i].update_norm, log[i].clipped,
            log[i].seconds);
}

/* Write the parameters (a text's vocabulary too) and the curve, whatever
 * exists, and commit both. */
static int save_outputs(cli_outfile *sv, cli_outfile *lg, const train_args *a,
                        const grl_text *text, const char *run,
                        const grl_session *s)
{
  int rc = 0;
  if (sv->o && (grl_model_write_record(sv->f, s->m, text ? text->vocab.V : 0)
                || grl_model_write(sv->f, s->m, s->m->theta)
                || (text && grl_vocab_write(sv->f, &text->vocab)))) {
    cli_error("train: --save: %s", grl_strerror());
    grl_outfile_abort(sv->o);
    sv->o = NULL;
    rc = -1;
  }
  if (lg->o)
    write_log(lg->f, a, run, s->log, s->done);
  if (cli_outfile_commit(sv, "train", "--save"))
    rc = -1;
  if (cli_outfile_commit(lg, "train", "--log"))
    rc = -1;
  return rc;
}

/* SIGINT or SIGTERM: the step under way has finished.  Save what there is,
 * whole, and say in one line where training stopped and what was saved. */
static int interrupted(cli_outfile *sv, cli_outfile *lg, const train_args *a,
                       const grl_text *text, const char *run,
                       const grl_session *s)
{
  int bad = save_outputs(sv, lg, a, text, run, s);
  grl_stop_forget();
  if (!bad) {
    const char *params = text ? "the parameters and vocabulary"
                              : "the parameters";
    char what[2 * GRL_STOP_PATH + 160];
    if (a->save && a->logpath)
      snprintf(what, sizeof what, "saved %s to %s and %zu steps of the curve to %s",
               params, a->save, s->done, a->logpath);
    else if (a->save)
      snprintf(what, sizeof what, "saved %s to %s", params, a->save);
    else if (a->logpath)
      snprintf(what, sizeof what, "saved %zu steps of the curve to %s", s->done,
               a->logpath);
    else
      snprintf(what, sizeof what, "nothing saved (no --save or --log)");
    cli_error("train: interrupted by %s after step %zu of %zu; %s",
              grl_stop_name(), s->done, a->steps, what);
  }
  return grl_stop_status();
}

/* The text, and one line naming the flags when it is too short. */
static int read_text(grl_text **text, const train_args *a)
{
  int st = a->textpath ? grl_text_read(text, a->textpath)
                       : grl_text_read_default(text);
  if (st) {
    cli_error("train: --text: %s", grl_strerror());
    return CLI_FAIL;
  }
  if (grl_text_windows(*text, a->T, a->B) == 0) {
    cli_error("train: --text: %s: the training split has %zu bytes, too few "
              "for --batch %zu stream%s of one --bptt %zu window each (it "
              "needs %zu); lower --bptt or --batch, or give a longer --text",
              (*text)->name, (*text)->ntrain, a->B, a->B == 1 ? "" : "s",
              a->T, a->B * a->T + 1);
    return CLI_FAIL;
  }
  return -1;
}

/* The text's baselines, before training: counting and compressing. */
static int print_text_head(FILE *out, const grl_text *text, double *uni,
                           double *bi, double *ng, double *kn, int by_file)
{
  double dup;
  if (grl_text_baselines(text, uni, bi)
      || grl_text_ngram_bpc(text, GRL_NGRAM_MAX_ORDER, ng, kn)
      || grl_text_duplicate_share(text, 8, &dup)) {
    cli_error("train: %s", grl_strerror());
    return -1;
  }
  fprintf(out, "text %s: %zu bytes, vocabulary %zu, train %zu, valid %zu\n",
          text->name, text->n, text->vocab.V, text->ntrain,
          grl_text_nvalid(text));
  fprintf(out, "split %s, duplicate share %.4f (validation 8-grams seen in training)\n",
          by_file ? "by file (" GRL_TEXT_DEFAULT_HOLDOUT " held out)" : "by position (last 10%)",
          dup);
  return 0;
}

/* The best order of the n-gram ladder (0-based). */
static size_t best_order(const double *ng)
{
  size_t b = 0;
  for (size_t k = 1; k < GRL_NGRAM_MAX_ORDER; k++)
    if (ng[k] < ng[b])
      b = k;
  return b;
}

static void print_baselines(FILE *out, const grl_text *text, double uni,
                            double bi, const double *ng, const double *kn)
{
  fprintf(out, "baseline unigram %.4f bpc, bigram %.4f bpc (add-one, fitted on train)\n",
          uni, bi);
  fprintf(out, "baseline n-gram (interpolated Witten-Bell, fitted on train), orders 1-%d:",
          GRL_NGRAM_MAX_ORDER);
  for (size_t k = 0; k < GRL_NGRAM_MAX_ORDER; k++)
    fprintf(out, " %.4f", ng[k]);
  fprintf(out, " bpc\n");
  fprintf(out, "baseline n-gram (interpolated Kneser-Ney, fitted on train), orders 1-%d:",
          GRL_NGRAM_MAX_ORDER);
  for (size_t k = 0; k < GRL_NGRAM_MAX_ORDER; k++)
    fprintf(out, " %.4f", kn[k]);
  fprintf(out, " bpc\n");
  const char *methods[2] = {"gzip", "xz"};
  for (int k = 0; k < 2; k++) {
    double cb;
    if (grl_compressed_bpc(text, methods[k], &cb) == GRL_OK)
      fprintf(out, "baseline %s -9 %.4f bits per byte of the validation split\n",
              methods[k], cb);
    else
      fprintf(out, "baseline %s -9 not measured: %s\n", methods[k],
              grl_strerror());
  }
}

/* The mean loss of the last (up to) n batches: steadier than one. */
static double tail_mean(const grl_session *s, size_t n, size_t *tail)
{
  *tail = s->done < n ? s->done : n;
  double last = 0.0;
  for (size_t i = s->done - *tail; i < s->done; i++)
    last += s->log[i].loss / (double)*tail;
  return last;
}

int cmd_train(int argc, char **argv)
{
  train_args a;
  int rc = parse(argc, argv, &a);
  if (rc >= 0)
    return rc;

  grl_text *text = NULL;
  grl_task *probe = NULL;    /* adding, copy: the baseline and the loss */
  grl_session s = {0};
  cli_outfile sv = {NULL, NULL}, lg = {NULL, NULL};
  double uni = NAN, bi = NAN, ng[GRL_NGRAM_MAX_ORDER],
         kn[GRL_NGRAM_MAX_ORDER];
  char run[1024];
  FILE *out = cli_stdout_begin();
  rc = CLI_FAIL;
  if (!out) {
    cli_error("train: out of memory");
    goto done;
  }
  if (a.text && (rc = read_text(&text, &a)) >= 0)
    goto done;
  rc = CLI_FAIL;
  if (!a.text && grl_task_alloc(&probe, a.task, a.T, 1)) {
    cli_error("train: %s", grl_strerror());
    rc = CLI_USAGE;
    goto done;
  }
  describe(run, sizeof run, &a, text);
  /* From here on, SIGINT and SIGTERM stop training after the step under
   * way; a second signal removes the temporaries and ends at once. */
  grl_stop_catch("grulab: train");
  if (cli_outfile_open(&sv, "train", "--save", a.save)
      || cli_outfile_open(&lg, "train", "--log", a.logpath))
    goto done;
  grl_stop_remove_on_abort(grl_outfile_tmpname(sv.o));
  grl_stop_remove_on_abort(grl_outfile_tmpname(lg.o));
  fprintf(out, "# grulab train %s\n", run);
  if (text && print_text_head(out, text, &uni, &bi, ng, kn, !a.textpath))
    goto done;

  grl_train_blas_threads_default();
  grl_session_spec spec = {
    .cell = a.cell, .task = a.task, .length = a.T, .text = text,
    .hidden_size = a.H, .layers = a.layers, .steps = a.steps, .seed = a.seed,
    .test_seqs = 1000, .keep_gate_bias = NAN,
    .cfg = {.optimizer = a.optimizer, .lr = a.lr, .clip = a.clip,
            .batch = a.B, .stop = &grl_stop_signal, .weight_decay = a.wd,
            .dropout = a.dropout,
            .dropout_kind = (grl_dropout_kind)grl_dropout_kind_lookup(
              a.dropout_kind)}};
  grl_progress prog;
  grl_progress_init(&prog, stderr, isatty(fileno(stderr)), a.steps);
  int st = grl_session_run(&s, &spec, grl_progress_step, &prog);
  grl_progress_end(&prog);
  /* stopped during training, or during the test after every step */
  if (s.m && (st == GRL_EINTR || (st == GRL_OK && grl_stop_signal))) {
    rc = interrupted(&sv, &lg, &a, text, run, &s);
    goto done;
  }
  if (st) {
    /* A NaN: save what there is, the last parameters with a finite loss
     * and gradient and the curve up to the last good step. */
    cli_error("train: %s%s", grl_strerror(), st == GRL_ENONFINITE && s.done
              ? " (try a smaller --lr or --clip)" : "");
    if (st == GRL_ENONFINITE && s.m)
      save_outputs(&sv, &lg, &a, text, run, &s);
    goto done;
  }
  if (save_outputs(&sv, &lg, &a, text, run, &s))
    goto done;

  size_t tail;
  fprintf(out, "parameters %zu\n", s.m->n);
  if (text) {
    print_baselines(out, text, uni, bi, ng, kn);
    double last = tail_mean(&s, 50, &tail);
    fprintf(out, "steps %zu (%.2f epochs) seconds %.2f chars_per_second %.0f\n",
            s.done, (double)s.done / (double)grl_text_windows(text, a.T, a.B),
            s.seconds, s.seconds > 0 ? (double)(s.done * a.T * a.B) / s.seconds
                                     : 0.0);
    if (tail)
      fprintf(out, "train bpc %.4f (mean of the last %zu batches)\n", last, tail);
    fprintf(out, "valid bpc %.4f (unigram %.4f, bigram %.4f, Witten-Bell %.4f at order %zu, "
            "Kneser-Ney %.4f at order %zu)\n",
            s.test, uni, bi, ng[best_order(ng)], best_order(ng) + 1,
            kn[best_order(kn)], best_order(kn) + 1);
  } else {
    double last = tail_mean(&s, 100, &tail);
    fprintf(out, "steps %zu seconds %.2f ms_per_step %.3f\n", s.done,
            s.seconds, s.done ? 1e3 * s.seconds / (double)s.done : 0.0);
    if (tail)
      fprintf(out, "train loss %.6f (mean of the last %zu batches)\n", last, tail);
    fprintf(out, "test %s %.6f (baseline %.4f)\n",
            probe->per_step ? "xent" : "mse", s.test, probe->baseline);
  }
  rc = CLI_OK;

done:
  rc = cli_end("train", GRL_OK, rc);
  /* anything still open was not meant to be published */
  grl_outfile_abort(sv.o);
  grl_outfile_abort(lg.o);
  grl_stop_forget();
  grl_session_free(&s);
  grl_task_free(probe);
  grl_text_free(text);
  return rc;
}
