# lab/local.mk -- the lab: students write the GRU themselves (lab/NN-*.c),
# and a grader built from their files says, item by item, what is right,
# what is not written yet, and what is wrong, where and (for the classic
# mistakes) which one it is.
#
#   make lab                 grade the lab files, a report for a student
#   make lab LAB=3 HINT=1    one lab, with hints (HINT=2: the equation's line)
#   make check               lab/lab in TAP among the other tests: an item
#                            not written yet is XFAIL (# TODO), a wrong one FAIL
#   lab/grade DIR...         instructors: a folder of submissions at once
#
# lab/solutions/NN-x.c are the reference solutions (built only by the
# tests); the blanks lab/NN-x.c are the solutions with every YOUR CODE
# region emptied (lab/tools/blank.awk; tests/lab/grader.sh checks that
# they are).  lab/mutants/NN-what.patch are the known mistakes: each a
# patch of a solution with a card (the mistake, its item, the equation,
# a hint), compiled into the grader beside the student's code.
#
# To add a known mistake: write lab/mutants/NN-what.patch (diff -u of the
# solution, the card on top) and add it to LAB_MUTANTS; tests/lab/grader.sh
# then checks that it fails and is named.  (The mutants of lab NN are
# compiled as one file, lab/mutants/NN-all.c: a name that a solution
# defines besides the lab's functions, a static helper, needs a rename in
# lab/grader/mutant.h as theirs have, or the mutants' copies clash.)

LAB_FILE_NAMES = 01-gates.c 02-gru-forward.c 03-gru-backward.c 04-bptt.c \
	05-gradcheck.c 06-training.c 07-lstm.c
LAB_FILES = lab/01-gates.c lab/02-gru-forward.c lab/03-gru-backward.c \
	lab/04-bptt.c lab/05-gradcheck.c lab/06-training.c lab/07-lstm.c
LAB_SOLUTIONS = lab/solutions/01-gates.c lab/solutions/02-gru-forward.c \
	lab/solutions/03-gru-backward.c lab/solutions/04-bptt.c \
	lab/solutions/05-gradcheck.c lab/solutions/06-training.c \
	lab/solutions/07-lstm.c
LAB_BLANKS = lab/blank/01-gates.c lab/blank/02-gru-forward.c \
	lab/blank/03-gru-backward.c lab/blank/04-bptt.c lab/blank/05-gradcheck.c \
	lab/blank/06-training.c lab/blank/07-lstm.c
LAB_MUTANTS = \
	lab/mutants/01-dsigmoid-of-output.patch \
	lab/mutants/01-dtanh-linear.patch \
	lab/mutants/01-sigmoid-form-a.patch \
	lab/mutants/01-sigmoid-form-b.patch \
	lab/mutants/01-tanh-by-exp.patch \
	lab/mutants/01-tanh-cancels.patch \
	lab/mutants/02-bhn-outside-r.patch \
	lab/mutants/02-reset-before.patch \
	lab/mutants/02-whh-untransposed.patch \
	lab/mutants/02-z-flipped.patch \
	lab/mutants/03-direct-path-missing.patch \
	lab/mutants/03-dp-zeroed.patch \
	lab/mutants/03-dq-without-r.patch \
	lab/mutants/03-dsigmoid-missing.patch \
	lab/mutants/03-dtanh-linear.patch \
	lab/mutants/03-dtanh-missing.patch \
	lab/mutants/03-outputs-accumulated.patch \
	lab/mutants/03-whh-untransposed.patch \
	lab/mutants/03-z-swapped.patch \
	lab/mutants/04-dp-reset.patch \
	lab/mutants/04-first-step-skipped.patch \
	lab/mutants/04-future-forgotten.patch \
	lab/mutants/04-h-for-hprev.patch \
	lab/mutants/04-h0-every-step.patch \
	lab/mutants/05-check-absolute.patch \
	lab/mutants/05-check-floor-not-scaled.patch \
	lab/mutants/05-divide-by-h.patch \
	lab/mutants/05-forward-difference.patch \
	lab/mutants/05-rel-no-floor.patch \
	lab/mutants/05-theta-not-restored.patch \
	lab/mutants/06-adam-no-bias-correction.patch \
	lab/mutants/06-adam-no-sqrt.patch \
	lab/mutants/06-adam-t-late.patch \
	lab/mutants/06-clip-after-update.patch \
	lab/mutants/06-clip-always.patch \
	lab/mutants/06-clip-per-tensor.patch \
	lab/mutants/06-dhT-at-step-1.patch \
	lab/mutants/06-grad-not-zeroed.patch \
	lab/mutants/07-dc-future-forgotten.patch \
	lab/mutants/07-dcprev-without-f.patch \
	lab/mutants/07-dtanh-c-missing.patch \
	lab/mutants/07-gate-order-ifog.patch \
	lab/mutants/07-h-without-tanh.patch
LAB_MUTANT_C = $(LAB_MUTANTS:.patch=.c)
# (the mutants of a lab are compiled as one file, which includes them)
LAB_MUTANT_UNITS = lab/mutants/01-all.c lab/mutants/02-all.c \
	lab/mutants/03-all.c lab/mutants/04-all.c lab/mutants/05-all.c \
	lab/mutants/06-all.c lab/mutants/07-all.c

# The student's functions are reached from another lab through the
# linker's --wrap (lab/grader/wrap.c): the options are made from the one
# list of the lab's functions, lab/grader/functions.h.
LAB_WRAP = -Wl,@lab/wrap.opts
lab/wrap.opts: $(srcdir)/lab/grader/wrap-opts.h $(srcdir)/lab/grader/functions.h
	$(AM_V_GEN)$(MKDIR_P) lab && $(CC) -E -P -I$(srcdir)/lab/grader \
	  $(srcdir)/lab/grader/wrap-opts.h >$@.tmp && mv $@.tmp $@
# (the library through its public header alone, as any program of its own)
LAB_CPPFLAGS = $(PUBLIC_CPPFLAGS) \
	-I$(top_srcdir)/lab -I$(top_srcdir)/lab/grader
LAB_LIBS = lab/libgrader.a lab/libsupport.a src/lib/libgrulab.la $(GRL_LIBS)

# What the lab supplies around the student's functions.
check_LIBRARIES += lab/libsupport.a lab/libgrader.a
lab_libsupport_a_SOURCES = lab/lab.h lab/support.h lab/support.c
lab_libsupport_a_CPPFLAGS = $(LAB_CPPFLAGS)

# The grader, with the known mistakes compiled in.
lab_libgrader_a_SOURCES = lab/grader/grader.h lab/grader/functions.h \
	lab/grader/run.h lab/grader/mutant.h lab/grader/main.c lab/grader/run.c \
	lab/grader/diagnose.c lab/grader/compare.c lab/grader/ref.c \
	lab/grader/wrap.c lab/grader/items_common.c lab/grader/items_gates.c \
	lab/grader/items_gru.c lab/grader/items_check.c lab/grader/items_train.c \
	lab/grader/items_lstm.c
nodist_lab_libgrader_a_SOURCES = lab/mutants/catalogue.c $(LAB_MUTANT_UNITS)
lab_libgrader_a_CPPFLAGS = $(LAB_CPPFLAGS) -DLAB_SRCDIR='"$(abs_top_srcdir)/lab"'

# A grader is linked by lab/link.sh GRADER OBJ..., which lab/tools/link.sh
# writes from libtool's link command (the compiler's command that libtool
# would run, when it is one: libtool's own shell costs more than the link)
LAB_LINK = $(SHELL) lab/link.sh
LAB_LINK_DEPS = lab/link.sh lab/wrap.opts lab/libgrader.a lab/libsupport.a \
	src/lib/libgrulab.la
lab/link.sh: lab/link.stamp
	@:
lab/link.stamp: src/lib/libgrulab.la Makefile $(srcdir)/lab/tools/link.sh
	$(AM_V_GEN)$(MKDIR_P) lab && $(SHELL) $(srcdir)/lab/tools/link.sh lab/link.sh \
	  $(LIBTOOL) --tag=CC $(AM_LIBTOOLFLAGS) $(LIBTOOLFLAGS) --mode=link \
	  $(CCLD) $(AM_CFLAGS) $(CFLAGS) $(AM_LDFLAGS) $(LDFLAGS) $(LAB_WRAP) \
	  -o @OUT@ @OBJS@ $(LAB_LIBS) && touch $@

# The student's grader: make lab, and make check's lab/lab.
check_PROGRAMS += lab/lab
lab_lab_SOURCES = $(LAB_FILES)
lab_lab_CPPFLAGS = $(LAB_CPPFLAGS)
lab_lab_LINK = $(LAB_LINK) $@
lab_lab_LDADD =
EXTRA_lab_lab_DEPENDENCIES = $(LAB_LINK_DEPS)
TESTS += lab/lab

# A wrong item is the report's news, not make's failure: lab/lab exits 1
# then, which make lab lets pass; it fails on the grader's own errors
# (exit 2: a bad LAB= or HINT=).
lab: lab/lab$(EXEEXT)
	@lab/lab$(EXEEXT) --report --src '$(abs_top_srcdir)/lab' --lab '$(LAB)' \
	  --hint '$(HINT)'; test $$? -le 1
# What the grader says of the blank lab LAB, whatever the student's files
# hold (for the lab's notebook page): make -s lab-blank-report LAB=3
lab-blank-report: tests/lab/grade-blank$(EXEEXT)
	@tests/lab/grade-blank$(EXEEXT) --report --src '$(abs_top_builddir)/lab/blank' \
	  --lab '$(LAB)' | sed 's|$(abs_top_builddir)/lab/blank|lab|'
.PHONY: lab lab-blank-report

# ---- generated: the pristine blanks, the mutants and their catalogue ------
# (the stamp's recipe writes only the files that change: the empty
# recipes here make make look at their times again after it)
$(LAB_BLANKS): lab/blank/stamp
	@:
lab/blank/stamp: $(LAB_SOLUTIONS) $(srcdir)/lab/tools/blank.awk
	$(AM_V_GEN)$(MKDIR_P) lab/blank && for f in $(LAB_FILE_NAMES); do \
	  $(AWK) -f $(srcdir)/lab/tools/blank.awk $(srcdir)/lab/solutions/$$f \
	    >lab/blank/$$f.tmp || exit 1; \
	  if cmp -s lab/blank/$$f.tmp lab/blank/$$f; then rm -f lab/blank/$$f.tmp; \
	  else mv lab/blank/$$f.tmp lab/blank/$$f; fi; \
	done && touch $@

$(LAB_MUTANT_C) $(LAB_MUTANT_UNITS) lab/mutants/catalogue.c: lab/mutants/stamp
	@:
# (and again when this file changes: LAB_MUTANTS may have lost one)
lab/mutants/stamp: $(LAB_MUTANTS) $(LAB_SOLUTIONS) $(srcdir)/lab/tools/mutant.sh \
		$(srcdir)/lab/tools/catalogue.awk $(srcdir)/lab/local.mk
	$(AM_V_GEN)$(MKDIR_P) lab/mutants && \
	AWK='$(AWK)' $(SHELL) $(srcdir)/lab/tools/mutant.sh $(srcdir) lab/mutants \
	  $(LAB_MUTANTS) && \
	(cd $(srcdir) && $(AWK) -f lab/tools/catalogue.awk $(LAB_MUTANTS)) \
	  >lab/mutants/catalogue.c.new && \
	if cmp -s lab/mutants/catalogue.c.new lab/mutants/catalogue.c; then \
	  rm -f lab/mutants/catalogue.c.new; \
	else mv lab/mutants/catalogue.c.new lab/mutants/catalogue.c; fi && touch $@

CLEANFILES += $(LAB_BLANKS) lab/blank/stamp $(LAB_MUTANT_C) $(LAB_MUTANT_UNITS) \
	lab/mutants/catalogue.c lab/mutants/stamp lab/wrap.opts lab/link.sh \
	lab/link.stamp

EXTRA_DIST += lab/README.md lab/tools/blank.awk lab/tools/code.awk \
	lab/tools/mutant.sh lab/tools/catalogue.awk lab/tools/refresh-mutants.sh \
	lab/tools/link.sh \
	lab/grader/wrap-opts.h lab/grade $(LAB_SOLUTIONS) $(LAB_MUTANTS)

# ---- the grader's own tests (tests/lab/grader.sh) ---------------------------
# Two graders of lab files whose grades are known: the solutions, and the
# pristine blanks made from them.  tests/lab/grader.sh builds the others as
# an instructor does (make lab-submission): correct solutions written
# differently (tests/lab/alt), wrong ones that no known mistake matches
# (tests/lab/wrong), a lab that crashes and one that never returns
# (tests/lab/bad).
# Their objects are make lab-submission's (below): compiled once, as it
# compiles a submission's file.
check_PROGRAMS += tests/lab/grade-solutions tests/lab/grade-blank
tests_lab_grade_solutions_SOURCES =
tests_lab_grade_blank_SOURCES =
tests_lab_grade_solutions_LINK = $(LAB_LINK) $@
tests_lab_grade_blank_LINK = $(LAB_LINK) $@
tests_lab_grade_solutions_LDADD = $(LAB_SOLUTION_OBJS)
tests_lab_grade_blank_LDADD = $(LAB_BLANK_OBJS)
EXTRA_tests_lab_grade_solutions_DEPENDENCIES = $(LAB_LINK_DEPS)
EXTRA_tests_lab_grade_blank_DEPENDENCIES = $(LAB_LINK_DEPS)
LAB_TEST_FILES = tests/lab/alt/01-gates.c tests/lab/alt/02-gru-forward.c tests/lab/alt/03-gru-backward.c \
	tests/lab/alt/04-bptt.c tests/lab/alt/06-training.c \
	tests/lab/iso/05-gradcheck.c tests/lab/iso/06-training.c \
	tests/lab/wrong/02-gru-forward.c tests/lab/wrong/03-gru-backward.c \
	tests/lab/wrong/04-bptt.c tests/lab/wrong/07-lstm.c \
	tests/lab/bad/03-gru-backward.c tests/lab/bad/04-bptt.c

# ---- instructors: lab/grade DIR... ------------------------------------------
# A grader from one submission's lab files, $(LAB_SUB)/NN-x.c, into
# $(LAB_OUT)/grader: a file that is missing is the blank (its items are
# "not written yet"), one that does not compile is the blank too, and its
# lab number goes to $(LAB_OUT)/did-not-compile (the compiler's messages
# to $(LAB_OUT)/compile.log).  lab/grade runs this for each submission.
#
# A file the student left as it was -- byte for byte the blank
# (lab/blank/NN-x.c) or the solution -- is not compiled again: its
# object, lab/obj/blank/NN-x.o or lab/obj/solutions/NN-x.o, was compiled
# once from that file with the same command (the graders of the tests
# are linked from them too).  Only an object that compiled without a
# message is reused, and only when the submission's folder holds no
# lab.h (or lab.h.gch) of its own other than the lab's, which the file's
# #include "lab.h" would read in its place: so the grader, compile.log
# and did-not-compile are what compiling the file itself would give.
LAB_SOLUTION_OBJS = lab/obj/solutions/01-gates.$(OBJEXT) \
	lab/obj/solutions/02-gru-forward.$(OBJEXT) \
	lab/obj/solutions/03-gru-backward.$(OBJEXT) \
	lab/obj/solutions/04-bptt.$(OBJEXT) lab/obj/solutions/05-gradcheck.$(OBJEXT) \
	lab/obj/solutions/06-training.$(OBJEXT) lab/obj/solutions/07-lstm.$(OBJEXT)
LAB_BLANK_OBJS = lab/obj/blank/01-gates.$(OBJEXT) \
	lab/obj/blank/02-gru-forward.$(OBJEXT) lab/obj/blank/03-gru-backward.$(OBJEXT) \
	lab/obj/blank/04-bptt.$(OBJEXT) lab/obj/blank/05-gradcheck.$(OBJEXT) \
	lab/obj/blank/06-training.$(OBJEXT) lab/obj/blank/07-lstm.$(OBJEXT)
# (the lab files include lab.h alone; the compiler's messages are shown
# and kept in NN-x.o.log)
LAB_OBJ_COMPILE = $(MKDIR_P) $(@D) && \
	{ $(COMPILE) $(LAB_CPPFLAGS) -c -o $@ $< >$@.log 2>&1; \
	  s=$$?; cat $@.log; exit $$s; }
lab/obj/solutions/%.$(OBJEXT): $(srcdir)/lab/solutions/%.c $(srcdir)/lab/lab.h
	$(AM_V_CC)$(LAB_OBJ_COMPILE)
lab/obj/blank/%.$(OBJEXT): lab/blank/%.c $(srcdir)/lab/lab.h
	$(AM_V_CC)$(LAB_OBJ_COMPILE)
CLEANFILES += $(LAB_SOLUTION_OBJS) $(LAB_BLANK_OBJS) \
	$(LAB_SOLUTION_OBJS:=.log) $(LAB_BLANK_OBJS:=.log)

lab-submission: $(LAB_LINK_DEPS) lab/blank/stamp $(LAB_SOLUTION_OBJS) \
		$(LAB_BLANK_OBJS)
	@if test -z '$(LAB_SUB)' || test -z '$(LAB_OUT)'; then \
	  echo "usage: make lab-submission LAB_SUB=DIR LAB_OUT=DIR" >&2; exit 2; fi; \
	$(MKDIR_P) '$(LAB_OUT)' && : >'$(LAB_OUT)/did-not-compile' && \
	: >'$(LAB_OUT)/compile.log' && objs= && \
	if test -e '$(LAB_SUB)/lab.h.gch' || { test -e '$(LAB_SUB)/lab.h' && \
	     ! cmp -s '$(LAB_SUB)/lab.h' $(srcdir)/lab/lab.h; }; \
	then own_h=yes; else own_h=no; fi && \
	for f in $(LAB_FILE_NAMES); do \
	  b=$${f%.c}.$(OBJEXT); o='$(LAB_OUT)'/$$b; \
	  if test ! -f '$(LAB_SUB)'/$$f; then o=lab/obj/blank/$$b; \
	  elif test $$own_h = no && test ! -s lab/obj/blank/$$b.log && \
	       cmp -s '$(LAB_SUB)'/$$f lab/blank/$$f; then o=lab/obj/blank/$$b; \
	  elif test $$own_h = no && test ! -s lab/obj/solutions/$$b.log && \
	       cmp -s '$(LAB_SUB)'/$$f $(srcdir)/lab/solutions/$$f; then \
	    o=lab/obj/solutions/$$b; \
	  elif $(COMPILE) $(LAB_CPPFLAGS) -c -o $$o '$(LAB_SUB)'/$$f \
	       >>'$(LAB_OUT)/compile.log' 2>&1; then :; \
	  else echo $$f | sed 's/^0*\([1-7]\)-.*/\1/' >>'$(LAB_OUT)/did-not-compile'; \
	    o=lab/obj/blank/$$b; fi; \
	  objs="$$objs $$o"; \
	done && \
	$(LAB_LINK) '$(LAB_OUT)/grader' $$objs
.PHONY: lab-submission

# (tests/lab/grader.sh is in TESTS at the top of Makefile.am: the longest
# tests run first)
EXTRA_DIST += tests/lab/grader.sh $(LAB_TEST_FILES)
