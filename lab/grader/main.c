/* main.c -- the lab's grader: grade the lab files it was linked with.
 *
 *   lab/lab                       TAP, for make check (one test per item)
 *   lab/lab --report              the same for a student (make lab)
 *   lab/lab --report --lab 3 --hint 1     (make lab LAB=3 HINT=1)
 *   lab/lab --item gru_backward   one item alone
 *
 * Items run in lab order, each in a child process of its own (run.c).  A
 * lab that calls an earlier lab's functions runs on the student's where
 * they passed, on the library's where not (wrap.c); with --lab N the labs
 * N depends on are graded first, quietly, to decide which.  With --item
 * the same, and the other items of its lab are not graded: their
 * functions count as not passed, so the item runs on the library's.
 *
 * TAP: a right item is "ok", a wrong one "not ok", and one whose function
 * still calls LAB_TODO() is "not ok ... # TODO not written yet", which
 * Automake's TAP driver counts as XFAIL: a fresh clone's make check stays
 * green and says how much is left. */
#include <config.h>
#include "grader.h"
#include "run.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const lab_item lab_item_sigmoid, lab_item_tanh, lab_item_dsigmoid,
  lab_item_dtanh, lab_item_step_forward, lab_item_step_backward,
  lab_item_seq_forward, lab_item_seq_backward, lab_item_rel_error,
  lab_item_numerical, lab_item_verdicts, lab_item_checker, lab_item_clip,
  lab_item_adam, lab_item_train_step, lab_item_training,
  lab_item_lstm_forward, lab_item_lstm_backward;

const lab_item *const lab_items[] = {
  &lab_item_sigmoid, &lab_item_tanh, &lab_item_dsigmoid, &lab_item_dtanh,
  &lab_item_step_forward,
  &lab_item_step_backward,
  &lab_item_seq_forward, &lab_item_seq_backward,
  &lab_item_rel_error, &lab_item_numerical, &lab_item_verdicts, &lab_item_checker,
  &lab_item_clip, &lab_item_adam, &lab_item_train_step, &lab_item_training,
  &lab_item_lstm_forward, &lab_item_lstm_backward,
  NULL};

static const char *usage =
  "Usage: lab [--report] [--lab N] [--item NAME] [--hint 0|1|2] [--timeout S]\n"
  "           [--src DIR] [--csv FILE --name NAME] [--did-not-compile N]...\n"
  "           [--as-mutant ID] [--list-mutants] [--check-equations]\n"
  "Grade the lab files this program was built from (lab/NN-*.c), item by item,\n"
  "against the library.\n"
  "  --report          a report for a student (default: TAP, for make check)\n"
  "  --lab N           lab N only (1-7); empty: all\n"
  "  --item NAME       that item only (as the TAP lines name it); the other\n"
  "                    items of its lab are not graded, and count as not passed\n"
  "  --hint K          0 (default), 1: a hint for each item that is not right,\n"
  "                    2: and the line of its equation in the lab file\n"
  "  --timeout S       each item's time limit in seconds (training: 6 S);\n"
  "                    default 10\n"
  "  --src DIR         where the lab files are, for the equations' line numbers\n"
  "  --csv FILE        append one row per item: submission, lab, item, result,\n"
  "                    mistake, diagnosis (--name NAME names the submission)\n"
  "  --did-not-compile N   lab N's file did not compile (lab/grade)\n"
  "  --as-mutant ID    grade a known mistake as if it were the student's lab\n"
  "  --list-mutants    list the known mistakes: id, lab, item, title, equation\n"
  "  --check-equations check that every equation a hint or a known mistake\n"
  "                    points at stands in the lab files (--src)\n";

static const char *status_word(int st, int report)
{
  switch (st) {
  case LAB_PASS: return "ok";
  case LAB_TODO: return report ? "todo" : "todo";
  case LAB_FAIL: return report ? "WRONG" : "fail";
  case LAB_CRASH: return report ? "CRASH" : "crash";
  default: return report ? "TIMEOUT" : "timeout";
  }
}

static void csv_field(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"')
      fputc('"', f);
    fputc(*s == '\n' ? ' ' : *s, f);
  }
  fputc('"', f);
}

/* The text's lines, each behind prefix. */
static void print_text(const char *text, const char *prefix)
{
  const char *p = text;
  while (*p) {
    const char *e = strchr(p, '\n');
    size_t n = e ? (size_t)(e - p) : strlen(p);
    printf("%s%.*s\n", prefix, (int)n, p);
    p += n + (e ? 1 : 0);
  }
}

/* "the library's gru_step_forward and gru_step_backward" */
static void routed_note(unsigned long used, char *buf, size_t len)
{
  size_t n = 0, count = 0, total = 0;
  for (int f = 0; f < LAB_NFN; f++)
    total += (used >> f) & 1;
  buf[0] = '\0';
  for (int f = 0; f < LAB_NFN; f++)
    if ((used >> f) & 1) {
      count++;
      n += (size_t)snprintf(buf + n, len - n, "%s%s",
                            count == 1 ? "" : count == total ? " and " : ", ",
                            lab_fn_name[f]);
    }
}

int main(int argc, char **argv)
{
  int report = 0, only = 0, timeout = 10, check_equations = 0;
  const char *csv = NULL, *name = "lab", *as_mutant = NULL, *item = NULL;
  unsigned no_compile = 0;
  static const struct option opts[] = {
    {"report", no_argument, NULL, 'r'}, {"lab", required_argument, NULL, 'l'},
    {"item", required_argument, NULL, 'i'},
    {"hint", required_argument, NULL, 'h'}, {"timeout", required_argument, NULL, 't'},
    {"src", required_argument, NULL, 's'}, {"csv", required_argument, NULL, 'c'},
    {"name", required_argument, NULL, 'n'},
    {"did-not-compile", required_argument, NULL, 'd'},
    {"as-mutant", required_argument, NULL, 'm'},
    {"list-mutants", no_argument, NULL, 'L'},
    {"check-equations", no_argument, NULL, 'E'}, {"help", no_argument, NULL, '?'},
    {NULL, 0, NULL, 0}};
  int c;
  unsigned long v;
  while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
    switch (c) {
    case 'r': report = 1; break;
    case 'l':
      if (!*optarg)
        break;   /* make lab LAB= */
      if (grl_parse_ulong(optarg, &v) || v < 1 || v > 7) {
        fprintf(stderr, "lab: --lab takes a lab number from 1 to 7, not '%s'\n", optarg);
        return 2;
      }
      only = (int)v;
      break;
    case 'i': item = optarg; break;
    case 'h':
      if (!*optarg)
        break;
      if (grl_parse_ulong(optarg, &v) || v > 2) {
        fprintf(stderr, "lab: --hint takes 0, 1 or 2, not '%s'\n", optarg);
        return 2;
      }
      lab_hint = (int)v;
      break;
    case 't':
      if (grl_parse_ulong(optarg, &v) || v < 1 || v > 3600) {
        fprintf(stderr, "lab: --timeout takes seconds from 1 to 3600, not '%s'\n", optarg);
        return 2;
      }
      timeout = (int)v;
      break;
    case 's': lab_src_dir = optarg; break;
    case 'c': csv = optarg; break;
    case 'n': name = optarg; break;
    case 'd':
      if (grl_parse_ulong(optarg, &v) || v < 1 || v > 7) {
        fprintf(stderr, "lab: --did-not-compile takes a lab number from 1 to 7, not '%s'\n", optarg);
        return 2;
      }
      no_compile |= 1u << v;
      break;
    case 'm': as_mutant = optarg; break;
    case 'L':
      for (const lab_mutant *mu = lab_mutants; mu->id; mu++)
        printf("%s\t%d\t%s\t%s\t%s\n", mu->id, mu->lab, mu->item, mu->title, mu->eq);
      return 0;
    case 'E':
      check_equations = 1;
      break;
    default:
      fputs(usage, c == '?' && optind > 0 && !strcmp(argv[optind - 1], "--help")
                     ? stdout : stderr);
      return c == '?' && !strcmp(argv[optind - 1], "--help") ? 0 : 2;
    }
  }
  if (check_equations) {
    int missing = 0;
    for (size_t i = 0; lab_items[i]; i++)
      for (const lab_eq *e = lab_items[i]->eqs; e && e->key; e++)
        if (!lab_eq_line(lab_items[i]->lab, e->text)) {
          printf("%s/%s: no line holds \"%s\" (item %s)\n", lab_src_dir,
                 lab_labs[lab_items[i]->lab].file, e->text, lab_items[i]->name);
          missing++;
        }
    for (const lab_mutant *mu = lab_mutants; mu->id; mu++)
      if (!lab_eq_line(mu->lab, mu->eq)) {
        printf("%s/%s: no line holds \"%s\" (known mistake %s)\n", lab_src_dir,
               lab_labs[mu->lab].file, mu->eq, mu->id);
        missing++;
      }
    return missing ? 1 : 0;
  }
  if (optind < argc) {
    fprintf(stderr, "lab: unexpected argument '%s'\n%s", argv[optind], usage);
    return 2;
  }

  /* --item NAME: that item alone (show), in its lab (only) */
  const lab_item *one = NULL;
  if (item) {
    for (size_t i = 0; lab_items[i] && !one; i++)
      if (!strcmp(lab_items[i]->name, item))
        one = lab_items[i];
    if (!one) {
      fprintf(stderr, "lab: no item '%s'; the items are", item);
      for (size_t i = 0; lab_items[i]; i++)
        fprintf(stderr, "%s '%s'", i ? "," : "", lab_items[i]->name);
      fputc('\n', stderr);
      return 2;
    }
    if (only && only != one->lab) {
      fprintf(stderr, "lab: --item '%s' is an item of lab %d, not of --lab %d\n",
              item, one->lab, only);
      return 2;
    }
    only = one->lab;
  }

  lab_impl student = lab_student;
  if (as_mutant) {
    const lab_mutant *mu = lab_mutants;
    while (mu->id && strcmp(mu->id, as_mutant))
      mu++;
    if (!mu->id) {
      fprintf(stderr, "lab: no known mistake '%s' (lab --list-mutants lists them)\n", as_mutant);
      return 2;
    }
#define X(lab, ret, fn, params, args) if (mu->impl.fn) student.fn = mu->impl.fn;
    LAB_FUNCTIONS(X)
#undef X
    if (!only)
      only = mu->lab;
  }

  FILE *cf = NULL;
  if (csv && !(cf = fopen(csv, "a"))) {
    fprintf(stderr, "lab: cannot open %s for appending\n", csv);
    return 2;
  }

  /* the labs to grade quietly first (what --lab N depends on) */
  unsigned quiet = 0;
  if (only) {
    quiet = lab_labs[only].deps;
    for (int k = 7; k >= 1; k--)        /* and what those depend on */
      if (quiet & (1u << k))
        quiet |= lab_labs[k].deps;
  }
  size_t nitems = 0;
  for (size_t i = 0; lab_items[i]; i++)
    if (one ? lab_items[i] == one : !only || lab_items[i]->lab == only)
      nitems++;

  if (report)
    printf("Grading the lab files in %s against the library.\n"
           "(make lab LAB=N grades lab N alone; HINT=1 or HINT=2 adds hints.)\n",
           lab_src_dir);
  else
    printf("1..%zu\n", nitems);

  int passed[LAB_NFN] = {0};
  unsigned long graded = 0;   /* bit f: function f's item was graded */
  int count[5] = {0}, n = 0, lab_shown = 0;
  double t0 = grl_seconds();
  const lab_item *next = NULL;
  static lab_outcome out;
  for (size_t i = 0; lab_items[i]; i++) {
    const lab_item *it = lab_items[i];
    int show = one ? it == one : !only || it->lab == only;
    if (!show && !(quiet & (1u << it->lab)))
      continue;    /* (with --item: the other items of its lab too) */
    if (!show && it->fn < 0)
      continue;    /* nothing calls it */
    for (int f = 0; f < LAB_NFN; f++)
      lab_route_student[f] = passed[f];
    if (no_compile & (1u << it->lab)) {
      memset(&out, 0, sizeof out);
      out.status = LAB_FAIL;
      snprintf(out.brief, sizeof out.brief, "does not compile");
      snprintf(out.text, sizeof out.text,
               "lab/%s does not compile: the compiler's messages are above\n",
               lab_labs[it->lab].file);
    } else {
      lab_run_item(it, &student, timeout, &out);
    }
    if (it->fn >= 0) {
      passed[it->fn] = out.status == LAB_PASS;
      graded |= 1ul << it->fn;
    }
    if (!show)
      continue;
    n++;
    count[out.status]++;
    if (out.status != LAB_PASS && !next)
      next = it;
    /* routed: the library's in place of functions that did not pass;
     * unseen: ... of functions --item did not grade */
    char routed[512] = "", unseen[512] = "";
    unsigned long seen = one ? graded : ~0ul;
    if ((out.used_ref & seen) && out.status != LAB_TODO)
      routed_note(out.used_ref & seen, routed, sizeof routed);
    if ((out.used_ref & ~seen) && out.status != LAB_TODO)
      routed_note(out.used_ref & ~seen, unseen, sizeof unseen);
    if (report) {
      if (lab_shown != it->lab) {
        printf("\nLab %d: %s  (lab/%s)\n", it->lab, lab_labs[it->lab].title,
               lab_labs[it->lab].file);
        lab_shown = it->lab;
      }
      printf("  %-8s %s%s\n", status_word(out.status, 1), it->name,
             out.status == LAB_TODO ? ": not written yet" : "");
      if (out.status != LAB_TODO || lab_hint)
        print_text(out.text, "           ");
      if (routed[0])
        printf("           (%s ran with the library's %s in place of yours, "
               "which %s not pass yet)\n", it->name, routed,
               strstr(routed, " and ") || strchr(routed, ',') ? "do" : "does");
      if (unseen[0])
        printf("           (%s ran with the library's %s in place of yours: "
               "--item grades %s alone)\n", it->name, unseen, it->name);
    } else {
      if (out.status == LAB_PASS)
        printf("ok %d - lab %d: %s\n", n, it->lab, it->name);
      else if (out.status == LAB_TODO)
        printf("not ok %d - lab %d: %s # TODO not written yet\n", n, it->lab, it->name);
      else
        printf("not ok %d - lab %d: %s\n", n, it->lab, it->name);
      if (out.status != LAB_TODO || lab_hint)
        print_text(out.text, "# ");
      if (routed[0])
        printf("# (%s ran with the library's %s in place of yours, which %s not pass yet)\n",
               it->name, routed, strstr(routed, " and ") || strchr(routed, ',') ? "do" : "does");
      if (unseen[0])
        printf("# (%s ran with the library's %s in place of yours: --item grades %s alone)\n",
               it->name, unseen, it->name);
    }
    if (cf) {
      static const char *const res[] = {"pass", "fail", "todo", "crash", "timeout"};
      csv_field(cf, name);
      fprintf(cf, ",%d,", it->lab);
      csv_field(cf, it->name);
      fprintf(cf, ",%s,", out.status == LAB_FAIL && (no_compile & (1u << it->lab))
                            ? "compile-error" : res[out.status]);
      csv_field(cf, out.mutant);
      fputc(',', cf);
      csv_field(cf, out.brief);
      fputc('\n', cf);
    }
    fflush(stdout);
  }
  if (cf)
    fclose(cf);
  double secs = grl_seconds() - t0;
  int bad = count[LAB_FAIL] + count[LAB_CRASH] + count[LAB_TIMEOUT];
  char summary[256];
  snprintf(summary, sizeof summary,
           "%d of %d items right, %d wrong, %d crashed or timed out, %d not "
           "written yet (%.1f s)", count[LAB_PASS], n, count[LAB_FAIL],
           count[LAB_CRASH] + count[LAB_TIMEOUT], count[LAB_TODO], secs);
  if (report) {
    printf("\nlab: %s\n", summary);
    if (next && lab_hint < 2)
      printf("next: lab %d, %s -- make lab LAB=%d HINT=%d for %s\n", next->lab,
             next->name, next->lab, lab_hint + 1,
             lab_hint < 1 ? "a hint" : "the line of its equation");
    else if (next)
      printf("next: lab %d, %s\n", next->lab, next->name);
  } else {
    printf("# lab: %s\n", summary);
  }
  return bad ? 1 : 0;
}
