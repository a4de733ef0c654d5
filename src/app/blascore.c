/* blascore.c -- see grl_blascore.h. */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grulab.h"
#include "grl_blascore.h"

#ifdef HAVE_VALGRIND_VALGRIND_H
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

/* Set in the re-executed process, so that it can say who chose, and what
 * OpenBLAS had chosen. */
#define CHOSEN_VAR "GRULAB_BLAS_CORE_CHOSEN"
#define FROM_VAR "GRULAB_BLAS_CORE_FROM"

const char *grl_blas_best_core(void)
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

/* The vector family of an OpenBLAS 0.3 x86-64 kernel name: 1 SSE, 2 AVX,
 * 3 AVX2, 4 AVX-512; 0 when the name is not known here. */
static int family(const char *core)
{
  static const struct { const char *name; int family; } map[] = {
    {"Prescott", 1}, {"Core2", 1}, {"Penryn", 1}, {"Dunnington", 1},
    {"Nehalem", 1}, {"Atom", 1}, {"Opteron", 1}, {"Barcelona", 1},
    {"Bobcat", 1}, {"Sandybridge", 2}, {"Bulldozer", 2}, {"Piledriver", 2},
    {"Steamroller", 2}, {"Excavator", 2}, {"Haswell", 3}, {"Zen", 3},
    {"SkylakeX", 4}, {"Cooperlake", 4}, {"SapphireRapids", 4}};
  for (size_t k = 0; core && k < sizeof map / sizeof map[0]; k++)
    if (!strcasecmp(core, map[k].name))
      return map[k].family;
  return 0;
}

int grl_blas_below_best(void)
{
  const int have = family(grl_blas_kernels()),
            best = family(grl_blas_best_core());
  if (!have || !best)
    return -1;
  return have < best;
}

void grl_blas_core_fix(char **argv)
{
  if (getenv("OPENBLAS_CORETYPE") || RUNNING_ON_VALGRIND
      || grl_blas_below_best() != 1)
    return;
  const char *best = grl_blas_best_core(), *from = grl_blas_kernels();
  if (setenv("OPENBLAS_CORETYPE", best, 1) != 0
      || setenv(CHOSEN_VAR, best, 1) != 0 || setenv(FROM_VAR, from, 1) != 0)
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
  unsetenv(FROM_VAR);
}

const char *grl_blas_core(const char **chosen_from)
{
  if (chosen_from)
    *chosen_from = NULL;
  const char *core = grl_blas_kernels();
  const char *chosen = getenv(CHOSEN_VAR);
  const char *set = getenv("OPENBLAS_CORETYPE");
  if (core && chosen_from && chosen && set && !strcmp(chosen, set))
    *chosen_from = getenv(FROM_VAR);
  return core;
}
