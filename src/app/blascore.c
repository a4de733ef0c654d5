/* blascore.c -- see grl_blascore.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grl_blascore.h"
#include "openblas.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* Set in the re-executed process, so that it can say who chose. */
#define CHOSEN_VAR "GRULAB_BLAS_CORE_CHOSEN"

#ifdef GRL_HAVE_OPENBLAS
/* The kernel family this CPU can run, best first, or NULL. */
static const char *best_core(void)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq")
      && __builtin_cpu_supports("avx512bw")
      && __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "Haswell";
#endif
  return NULL;
}
#endif

void grl_blas_core_fix(char **argv)
{
#ifdef GRL_HAVE_OPENBLAS
  const char *core = openblas_get_corename();
  if (!core || strcmp(core, "Prescott") != 0 || getenv("OPENBLAS_CORETYPE")
      || RUNNING_ON_VALGRIND)
    return;
  const char *best = best_core();
  if (!best)
    return;
  if (setenv("OPENBLAS_CORETYPE", best, 1) != 0
      || setenv(CHOSEN_VAR, best, 1) != 0)
    return;
  /* exec the file /proc/self/exe names, not the link itself: the kernel
   * names a process after the file it was started from, and `ps` should
   * go on saying "grulab", not "exe". */
  char self[4096];
  struct stat here, there;
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n > 0 && (size_t)n < sizeof self - 1) {
    self[n] = '\0';
    /* only if that name is still this very file (not a rebuilt one) */
    if (stat("/proc/self/exe", &here) == 0 && stat(self, &there) == 0
        && here.st_dev == there.st_dev && here.st_ino == there.st_ino)
      execv(self, argv);
  }
  execv("/proc/self/exe", argv);
  /* Still here: the exec failed; go on as we were. */
  unsetenv("OPENBLAS_CORETYPE");
  unsetenv(CHOSEN_VAR);
#else
  (void)argv;
#endif
}

const char *grl_blas_core(int *chosen_by_grulab)
{
  if (chosen_by_grulab)
    *chosen_by_grulab = 0;
#ifdef GRL_HAVE_OPENBLAS
  const char *core = openblas_get_corename();
  const char *chosen = getenv(CHOSEN_VAR);
  const char *set = getenv("OPENBLAS_CORETYPE");
  if (chosen_by_grulab && chosen && set && !strcmp(chosen, set))
    *chosen_by_grulab = 1;
  return core;
#else
  return NULL;
#endif
}
