/* grl_stop.h -- SIGINT and SIGTERM for the programs that train (the grulab
 * command, chapters 8 and 9).  Not part of libgrulab: the library never
 * installs a handler and never exits; it reads a stop flag
 * (grl_train_config.stop) and returns GRL_EINTR.  This header gives a
 * program the other half, the handler:
 *
 *   grl_stop_catch("grulab train");         before the work starts
 *   cfg.stop = &grl_stop_signal;            the trainer reads it
 *   grl_stop_remove_on_abort(tmpname);      temporaries a second signal
 *                                           must not leave behind
 *   ... train; on GRL_EINTR save what there is, commit, then ...
 *   grl_stop_forget();                      the temporaries are gone
 *   return grl_stop_status();               128 + the signal (130, 143)
 *
 * The first SIGINT or SIGTERM only sets grl_stop_signal: the step under
 * way finishes and the program saves its files whole.  A second signal
 * (while the first is being honoured) removes the registered temporary
 * files, says so in one line and ends the program at once, by the signal
 * itself, so its status is still 128 + the signal; files written before
 * are untouched, because outputs are only ever renamed into place.
 *
 * Header-only, with static state: each file that includes it has its own
 * grl_stop_signal, so a program catches, reads and reports the signal in
 * the same file. */
#ifndef GRULAB_GRL_STOP_H
#define GRULAB_GRL_STOP_H

#include <signal.h>
#include <string.h>
#include <unistd.h>

/* 0, or the first signal received (SIGINT, SIGTERM). */
static volatile sig_atomic_t grl_stop_signal;

enum { GRL_STOP_FILES = 4, GRL_STOP_PATH = 4096 };
static char grl_stop_tmp[GRL_STOP_FILES][GRL_STOP_PATH];
static char grl_stop_who[64];

static inline void grl_stop_say(const char *s)
{
  ssize_t n = write(STDERR_FILENO, s, strlen(s));
  (void)n; /* nothing more can be done about stderr here */
}

static inline void grl_stop_handler(int sig)
{
  if (!grl_stop_signal) {
    grl_stop_signal = sig;
    return;
  }
  /* The second signal: no more waiting.  unlink, write, signal and raise
   * are async-signal-safe. */
  for (int i = 0; i < GRL_STOP_FILES; i++)
    if (grl_stop_tmp[i][0])
      unlink(grl_stop_tmp[i]);
  grl_stop_say(grl_stop_who);
  grl_stop_say(": interrupted again: stopped at once, nothing saved\n");
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Catch SIGINT and SIGTERM; who prefixes the second signal's message.
 * A signal the program was started with ignored stays ignored, as a shell
 * script's background job expects (the convention Python follows too). */
static inline int grl_stop_catch(const char *who)
{
  static const int sigs[] = {SIGINT, SIGTERM};
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = grl_stop_handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  size_t n = strlen(who);
  if (n >= sizeof grl_stop_who)
    n = sizeof grl_stop_who - 1;
  memcpy(grl_stop_who, who, n);
  grl_stop_who[n] = '\0';
  grl_stop_signal = 0;
  for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
    if (sigaction(sigs[i], NULL, &old) != 0)
      return -1;
    if (old.sa_handler != SIG_IGN && sigaction(sigs[i], &sa, NULL) != 0)
      return -1;
  }
  return 0;
}

/* Register a temporary file (grl_outfile_tmpname; NULL is ignored) for
 * the second signal to remove.  The name is copied.  Returns -1 if there
 * is no room (then the file may be left behind; nothing else changes). */
static inline int grl_stop_remove_on_abort(const char *path)
{
  if (!path)
    return 0;
  size_t n = strlen(path);
  if (n == 0 || n >= GRL_STOP_PATH)
    return -1;
  for (int i = 0; i < GRL_STOP_FILES; i++)
    if (!grl_stop_tmp[i][0]) {
      /* the first byte last: the handler never sees half a name */
      memcpy(grl_stop_tmp[i] + 1, path + 1, n);
      grl_stop_tmp[i][0] = path[0];
      return 0;
    }
  return -1;
}

/* The temporaries are committed or removed: forget them. */
static inline void grl_stop_forget(void)
{
  for (int i = 0; i < GRL_STOP_FILES; i++)
    grl_stop_tmp[i][0] = '\0';
}

/* "SIGINT", "SIGTERM" or "a signal", for the program's one line. */
static inline const char *grl_stop_name(void)
{
  return grl_stop_signal == SIGINT ? "SIGINT"
       : grl_stop_signal == SIGTERM ? "SIGTERM" : "a signal";
}

/* The exit status of a program stopped by the signal: 128 + its number. */
static inline int grl_stop_status(void)
{
  return 128 + (int)grl_stop_signal;
}

#endif
