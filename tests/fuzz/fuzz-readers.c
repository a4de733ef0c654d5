/* fuzz-readers.c -- a libFuzzer harness for every reader of a file that a
 * user hands to grulab: the tensor reader (grl_tensorfile_read) and the
 * parameter-file loader of every cell (grl_model_load, with and without a
 * readout), and the text task's readers (grl_text_read of a corpus file,
 * grl_vocab_read of a text model's vocabulary tensor).  Build and run it with `make fuzz FUZZ_SECONDS=N` (clang's
 * -fsanitize=fuzzer with ASan and UBSan); tests/fuzz/corpus/ holds the
 * seed files: valid-* and invalid-* are valid or invalid for the reader
 * they were written for (invalid-vocab-order.txt is a good tensor file but
 * a bad vocabulary); every input goes to every reader.
 *
 * The readers take a path, so each input is written to one temporary file
 * and read back through every target.  An input may be anything: the
 * readers must answer with a status and a message, never crash, leak,
 * hang or read out of bounds.  A status without a message is a bug too.
 *
 * Adding a reader (e.g. the text task's): write a function
 *   static void fuzz_NAME(const char *path)
 * that reads path and frees what it read, and add it to targets[]. */
#include <config.h>
#include "grulab.h"

#include <gsl/gsl_errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void remove_input(void)
{
  unlink(path);
}

/* A failure must say why: a status with an empty message is a bug. */
static void check_message(int st)
{
  if (st != GRL_OK && grl_strerror()[0] == '\0')
    abort();
}

static void fuzz_tensorfile(const char *p)
{
  grl_tensorfile *tf = NULL;
  int st = grl_tensorfile_read(&tf, p);
  check_message(st);
  if (st == GRL_OK) {
    /* touch every value, so that a short buffer shows under ASan */
    volatile double sum = 0;
    for (size_t i = 0; i < tf->n; i++)
      for (size_t k = 0; k < tf->t[i].size; k++)
        sum += tf->t[i].data[k];
    (void)sum;
  }
  grl_tensorfile_free(tf);
}

static void fuzz_models(const char *p)
{
  for (const grl_cell *const *c = grl_cell_all(); *c; c++)
    for (int readout = 0; readout <= 1; readout++) {
      grl_model *m = NULL;
      int st = grl_model_load(&m, *c, p, readout);
      check_message(st);
      if (st == GRL_OK) {
        volatile double sum = 0;
        for (size_t i = 0; i < m->n; i++)
          sum += m->theta[i];
        (void)sum;
      }
      grl_model_free(m);
    }
}

static void fuzz_text(const char *p)
{
  grl_text *t = NULL;
  int st = grl_text_read(&t, p);
  check_message(st);
  if (st == GRL_OK) {
    /* every id must index the vocabulary it came with */
    for (size_t i = 0; i < t->n; i++)
      if (t->ids[i] >= t->vocab.V || t->vocab.byte[t->ids[i]] != t->bytes[i])
        abort();
    double uni, bi;
    check_message(grl_text_baselines(t, &uni, &bi));
  }
  grl_text_free(t);
}

static void fuzz_vocab(const char *p)
{
  grl_tensorfile *tf = NULL;
  if (grl_tensorfile_read(&tf, p) == GRL_OK) {
    grl_vocab v;
    int st = grl_vocab_read(&v, tf);
    check_message(st);
    if (st == GRL_OK)
      for (size_t i = 0; i < v.V; i++)
        if (v.id[v.byte[i]] != (int)i)
          abort();
  }
  grl_tensorfile_free(tf);
}

/* ---- the targets: add a reader here ------------------------------------ */
static void (*const targets[])(const char *) = {
  fuzz_tensorfile,
  fuzz_models,
  fuzz_text,
  fuzz_vocab,
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  gsl_set_error_handler_off();
  const char *dir = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/grulab-fuzz-XXXXXX",
           dir && strlen(dir) < 40 ? dir : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("fuzz-readers: mkstemp");
    exit(1);
  }
  close(fd);
  atexit(remove_input);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
    abort();
  for (size_t i = 0; i < sizeof targets / sizeof *targets; i++)
    targets[i](path);
  return 0;
}
