/* run.c -- each item in a child process of its own, so that student code
 * that crashes, aborts, exits or never returns costs that item only.
 *
 * The parent maps one shared page (lab_shared) and a pipe, then forks.
 * The child sets an alarm for the time limit (and, where no sanitizer
 * needs the address space, a 2 GiB limit on memory), sends its stdout to
 * stderr (a student's printf must not mix with the TAP stream), keeps
 * GSL's errors instead of aborting, grades the item (diagnose.c) and
 * writes the verdict into the page.  The parent waits on the pipe for at
 * most the time limit plus two seconds, then kills the child if it is
 * still there, and reads what happened: the verdict, or the signal that
 * ended the child and the function the page's call stack was in. */
#include <config.h>
#include "grader.h"
#include "run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>

#if defined(__SANITIZE_ADDRESS__)
#define LAB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LAB_ASAN 1
#endif
#endif

static void gsl_keep(const char *reason, const char *file, int line, int gsl_errno)
{
  (void)gsl_errno;
  if (lab_sh && !lab_sh->gsl_error[0])
    snprintf(lab_sh->gsl_error, sizeof lab_sh->gsl_error, "'%s' (%s:%d)",
             reason, file, line);
}

/* A fatal signal in the child: re-raised with its default action, so the
 * parent sees it as it is (also when a sanitizer has a handler of its own). */
static void fatal(int sig)
{
  signal(sig, SIG_DFL);
  raise(sig);
}

static void child(const lab_item *it, const lab_impl *student, int timeout)
{
  static char altstack[65536];   /* a stack overflow must still be reported */
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = fatal;
  sa.sa_flags = SA_ONSTACK;
  int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
  for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
    sigaction(sigs[k], &sa, NULL);
  signal(SIGALRM, SIG_DFL);
  struct rlimit core = {0, 0};
  setrlimit(RLIMIT_CORE, &core);
#ifndef LAB_ASAN
  struct rlimit as = {(rlim_t)2 << 30, (rlim_t)2 << 30};
  setrlimit(RLIMIT_AS, &as);
#endif
  dup2(STDERR_FILENO, STDOUT_FILENO);
  gsl_set_error_handler(gsl_keep);
  alarm((unsigned)timeout);
  lab_route_within(it);
  lab_sh->status = lab_grade(it, student);
  fflush(NULL);
  lab_sh->done = 1;
  _exit(0);
}

static const char *signame(int sig)
{
  switch (sig) {
  case SIGSEGV: return "SIGSEGV";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGILL: return "SIGILL";
  case SIGABRT: return "SIGABRT";
  case SIGKILL: return "SIGKILL";
  case SIGTERM: return "SIGTERM";
  case SIGXCPU: return "SIGXCPU";
  default: return "a signal";
  }
}

/* "in gru_step_backward" / "in your gru_backward, in the library's
 * gru_step_backward" from the stack the child left. */
static void where(char *buf, size_t len)
{
  int d = lab_sh->depth;
  if (lab_sh->phase < 3) {
    snprintf(buf, len, "while the grader computed the %s (a bug of the grader's: please report it)",
             lab_sh->phase == 2 ? "known mistakes' results" : "library's reference");
    return;
  }
  if (d <= 0) {
    snprintf(buf, len, "after your code returned (it may have written outside its arrays)");
    return;
  }
  if (d > 16)
    d = 16;
  size_t n = 0;
  for (int k = d - 1; k >= 0 && n < len; k--)
    n += (size_t)snprintf(buf + n, len - n, "%s%s%s", k == d - 1 ? "in " : ", called from ",
                          lab_sh->stack_ref[k] ? "the library's " : "",
                          lab_fn_name[lab_sh->stack[k]]);
}

int lab_run_item(const lab_item *it, const lab_impl *student, int timeout,
                 lab_outcome *out)
{
  memset(out, 0, sizeof *out);
  int limit = (int)(timeout * it->time_scale + 0.5);
  if (limit < 1)
    limit = 1;
  lab_sh = mmap(NULL, sizeof *lab_sh, PROT_READ | PROT_WRITE,
                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (lab_sh == MAP_FAILED) {
    lab_sh = NULL;
    snprintf(out->text, sizeof out->text, "could not map a shared page: %s\n",
             strerror(errno));
    out->status = LAB_CRASH;
    return -1;
  }
  memset(lab_sh, 0, sizeof *lab_sh);
  int fd[2];
  if (pipe(fd)) {
    out->status = LAB_CRASH;
    snprintf(out->text, sizeof out->text, "could not make a pipe: %s\n", strerror(errno));
    munmap(lab_sh, sizeof *lab_sh);
    lab_sh = NULL;
    return -1;
  }
  fflush(NULL);
  /* LAB_NO_FORK=1: grade in this process (to debug the grader in gdb) */
  if (getenv("LAB_NO_FORK")) {
    lab_sh->status = lab_grade(it, student);
    lab_sh->done = 1;
    close(fd[0]);
    close(fd[1]);
    out->status = lab_sh->status;
    snprintf(out->todo, sizeof out->todo, "%s", lab_sh->todo);
    snprintf(out->mutant, sizeof out->mutant, "%s", lab_sh->mutant);
    snprintf(out->brief, sizeof out->brief, "%s", lab_sh->brief);
    snprintf(out->text, sizeof out->text, "%s", lab_sh->text);
    out->used_ref = lab_sh->used_ref;
    munmap(lab_sh, sizeof *lab_sh);
    lab_sh = NULL;
    return 0;
  }
  pid_t pid = fork();
  if (pid < 0) {
    out->status = LAB_CRASH;
    snprintf(out->text, sizeof out->text, "could not fork: %s\n", strerror(errno));
    close(fd[0]);
    close(fd[1]);
    munmap(lab_sh, sizeof *lab_sh);
    lab_sh = NULL;
    return -1;
  }
  if (pid == 0) {
    close(fd[0]);
    child(it, student, limit);   /* does not return */
  }
  close(fd[1]);
  /* wait for the child to close its end (exit), at most limit + 2 s */
  struct pollfd p = {.fd = fd[0], .events = POLLIN};
  double t0 = grl_seconds(), left;
  int eof = 0, killed = 0;
  while (!eof && (left = limit + 2.0 - (grl_seconds() - t0)) > 0) {
    int r = poll(&p, 1, (int)(left * 1000) + 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0)
      break;
    if (r > 0) {
      char c;
      ssize_t got = read(fd[0], &c, 1);
      eof = got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN);
    }
  }
  if (!eof) {   /* still there after its time: stopped */
    kill(pid, SIGKILL);
    killed = 1;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;
  close(fd[0]);
  out->seconds = grl_seconds() - t0;

  snprintf(out->todo, sizeof out->todo, "%s", lab_sh->todo);
  snprintf(out->mutant, sizeof out->mutant, "%s", lab_sh->mutant);
  snprintf(out->brief, sizeof out->brief, "%s", lab_sh->brief);
  snprintf(out->text, sizeof out->text, "%s", lab_sh->text);
  out->used_ref = lab_sh->used_ref;
  if (lab_sh->done && !killed && WIFEXITED(status)) {
    out->status = lab_sh->status;
  } else {
    char in[512];
    where(in, sizeof in);
    int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    if (killed || sig == SIGALRM || sig == SIGXCPU) {
      out->status = LAB_TIMEOUT;
      snprintf(out->brief, sizeof out->brief, "timed out after %d s %.200s", limit, in);
      snprintf(out->text, sizeof out->text, "lab %d timed out after %d s %s\n",
               it->lab, limit, in);
    } else {
      out->status = LAB_CRASH;
      if (sig)
        snprintf(out->brief, sizeof out->brief, "crashed (%s) %.200s", signame(sig), in);
      else
        snprintf(out->brief, sizeof out->brief, "exited with status %d %.200s",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1, in);
      snprintf(out->text, sizeof out->text, "lab %d %s\n", it->lab, out->brief);
    }
    if (lab_sh->gsl_error[0]) {
      size_t n = strlen(out->text);
      snprintf(out->text + n, sizeof out->text - n,
               "GSL reported before that: %s\n", lab_sh->gsl_error);
    }
  }
  munmap(lab_sh, sizeof *lab_sh);
  lab_sh = NULL;
  return 0;
}
