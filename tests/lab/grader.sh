# grader.sh -- the lab's grader, tested on lab files whose grade is known:
#   the solutions pass every item;
#   the pristine blanks give "# TODO not written yet" on every item, and
#     the shipped lab/NN-x.c are those blanks (when git says they are
#     unchanged in this checkout);
#   every known mistake in the catalogue fails its item and is named
#     (one assertion each, graded with --item: its item alone), and the
#     equation it points at is in the files;
#   --item grades one item, as the whole lab grades it; a name that is
#     not an item's is a usage error;
#   correct solutions written differently (GSL BLAS, another order,
#     (1 - t)(1 + t) for tanh') pass;
#   within labs 5 and 6, a wrong rel_error or adam_step does not fail
#     gradient_check or train_step, which call them from the same file;
#   wrong solutions that no known mistake matches are caught and localised
#     to their tensor and gate block, and a time-loop mistake is told from
#     a step mistake;
#   a lab that crashes and one that never returns are reported, and the
#     grading goes on;
#   hints come in levels; lab/grade writes a TAP file per submission and
#     one CSV.
. "$top_srcdir/tests/tap.sh"
b=$top_builddir/tests/lab
sol=$top_srcdir/lab/solutions
blank=$top_builddir/lab/blank
nm=$("$b/grade-solutions" --list-mutants | grep -c .)
plan $((18 + 18 + 7 + 2 + nm + 3 + 18 + 10 + 4 + 4 + 4 + 6))

# build NAME FILE...: a grader, $TMP/NAME.build/grader, of the solutions
# with FILE... in place of theirs, as lab/grade builds a submission's
build() {
  bn=$1; shift
  mkdir "$TMP/$bn"
  cp "$sol"/*.c "$TMP/$bn/"
  for f in "$@"; do cp "$top_srcdir/tests/lab/$f" "$TMP/$bn/"; done
  (unset MAKEFLAGS MFLAGS MAKELEVEL
   make -s -C "$top_builddir" lab-submission LAB_SUB="$TMP/$bn" \
     LAB_OUT="$TMP/$bn.build") >"$TMP/$bn.log" 2>&1 || { cat "$TMP/$bn.log"; return 1; }
}

# each_item WHAT: one assertion per item of $out, the grader's TAP: it
# must be "ok" (WHAT: right) or "not ok ... # TODO" (WHAT: todo)
each_item() {
  printf '%s\n' "$out" | grep -E '^(not )?ok ' >"$TMP/items"
  [ "$(wc -l <"$TMP/items")" = 18 ] || diag "$(wc -l <"$TMP/items") items, not 18"
  while read -r line; do
    name=${line#*ok * - }
    name=${name% \# TODO not written yet}
    case $2:$line in
      right:ok\ *|todo:"not ok "*" # TODO not written yet") pass "$1: $name" ;;
      *) fail "$1: $name"; diag "$out" ;;
    esac
  done <"$TMP/items"
}

# item NAME: the lines of the TAP test named "lab L: NAME" in $out (its
# result line and the diagnostics after it)
item() {
  printf '%s\n' "$out" | awk -v it="$1" '
    /^(not )?ok [0-9]+ - / { s = $0; sub(/^(not )?ok [0-9]+ - lab [0-9]: /, "", s)
                             sub(/ # TODO.*$/, "", s); on = (s == it) }
    on'
}
has() { printf '%s\n' "$2" | grep -qF -- "$1"; }

# ---- the solutions: every item ok; the blanks: every item TODO ---------------
out=$("$b/grade-solutions" --src "$sol" 2>"$TMP/err")
each_item solutions right
out=$("$b/grade-blank" --src "$blank" 2>"$TMP/err")
each_item "blank, not written yet" todo
for f in 01-gates.c 02-gru-forward.c 03-gru-backward.c 04-bptt.c \
         05-gradcheck.c 06-training.c 07-lstm.c; do
  if command -v git >/dev/null 2>&1 \
     && git -C "$top_srcdir" ls-files --error-unmatch "lab/$f" >/dev/null 2>&1 \
     && git -C "$top_srcdir" diff --quiet HEAD -- "lab/$f" 2>/dev/null; then
    awk -f "$top_srcdir/lab/tools/code.awk" "$top_srcdir/lab/$f" >"$TMP/shipped"
    awk -f "$top_srcdir/lab/tools/code.awk" "$blank/$f" >"$TMP/made"
    ok "lab/$f is the blank of lab/solutions/$f (the code; the prose is lab/$f's)" \
      cmp -s "$TMP/shipped" "$TMP/made"
  else
    skip "lab/$f: not an unchanged file of a git checkout (a student's work, or a tarball)"
  fi
done
ok "every equation a hint or a known mistake points at is in the blanks" \
  "$b/grade-solutions" --check-equations --src "$blank"
ok "... and in the solutions" "$b/grade-solutions" --check-equations --src "$sol"

# ---- every known mistake fails its item and is named -----------------------
# (--item: the mistake's item alone; its lab's others, lab 6's training
# among them, are not graded)
"$b/grade-solutions" --list-mutants >"$TMP/mutants"
while IFS='	' read -r id lab it title eq; do
  out=$("$b/grade-solutions" --as-mutant "$id" --item "$it" --src "$blank" 2>/dev/null)
  sec=$(item "$it")
  if has "not ok" "$sec" && has "# known mistake: $title" "$sec"; then
    pass "known mistake $id is named at lab $lab: $it"
  else
    fail "known mistake $id is named at lab $lab: $it"
    diag "$sec"
  fi
done <"$TMP/mutants"

# ---- --item: one item, graded as in its whole lab ---------------------------------
out=$("$b/grade-solutions" --item gru_backward --src "$sol" 2>"$TMP/err")
is "--item gru_backward: that item alone" \
  "$(printf '%s\n' "$out" | grep -E '^(1\.\.|(not )?ok )')" "1..1
ok 1 - lab 4: gru_backward"
# (gradient_check: its lab's rel_error and numerical_gradient not graded)
out=$("$b/grade-solutions" --as-mutant 05-check-absolute --src "$blank" 2>/dev/null)
whole=$(item gradient_check | grep -v '^# lab: ' | sed 's/^not ok [0-9]* /not ok /')
case $whole in "not ok - lab 5: gradient_check"*) ;; *) whole="(not failed in the whole lab: $whole)" ;; esac
out=$("$b/grade-solutions" --as-mutant 05-check-absolute --item gradient_check \
  --src "$blank" 2>/dev/null)
is "... a known mistake's item reads the same with --item as in the whole lab" \
  "$(item gradient_check | grep -v '^# lab: ' | sed 's/^not ok [0-9]* /not ok /')" "$whole"
"$b/grade-solutions" --item gru_bakcward >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--item with no item's name: a usage error (exit 2), nothing on stdout, one line that names the items" \
  "$rc $(wc -c <"$TMP/out" | tr -d ' ') $(wc -l <"$TMP/err" | tr -d ' ') $(grep -c "'gru_backward'" "$TMP/err")" \
  "2 0 1 1"

# ---- correct, written differently: every item ok ------------------------------
build alt alt/01-gates.c alt/02-gru-forward.c alt/03-gru-backward.c alt/04-bptt.c alt/06-training.c
out=$("$TMP/alt.build/grader" --src "$TMP/alt" 2>"$TMP/err")
each_item "written differently" right

# ---- one function of a lab wrong: the others graded on the library's --------------
# (a call inside one file is routed by patching the function's entry: x86)
build iso iso/05-gradcheck.c iso/06-training.c
out=$("$TMP/iso.build/grader" --src "$TMP/iso" 2>"$TMP/err")
case $(uname -m) in
x86_64|i?86|amd64)
  is "a wrong rel_error fails its item" \
    "$(printf '%s\n' "$out" | grep -E '^(not )?ok .*rel_error$' | sed 's/ [0-9]* - / - /')" \
    "not ok - lab 5: rel_error"
  ok "... and gradient_check, calling it, passes on the library's rel_error" \
    sh -c 'printf "%s\n" "$1" | grep -A1 "^ok .* - lab 5: gradient_check$" | grep -q "^# (gradient_check ran with the library.s rel_error in place of yours"' - "$out"
  is "a wrong adam_step fails its item" \
    "$(printf '%s\n' "$out" | grep -E '^(not )?ok .*adam_step$' | sed 's/ [0-9]* - / - /')" \
    "not ok - lab 6: adam_step"
  ok "... and train_step, calling it, passes on the library's adam_step" \
    sh -c 'printf "%s\n" "$1" | grep -A1 "^ok .* - lab 6: train_step$" | grep -q "^# (train_step ran with the library.s adam_step in place of yours"' - "$out"
  ;;
*) for k in 1 2 3 4; do skip "calls inside one lab file are routed on x86 only"; done ;;
esac

# ---- wrong in ways no mutant is: caught and localised -----------------------------
build wrong wrong/02-gru-forward.c wrong/03-gru-backward.c wrong/04-bptt.c wrong/07-lstm.c
w=$TMP/wrong.build/grader
out=$("$w" --src "$TMP/wrong" --lab 2 2>"$TMP/err")
sec=$(item gru_step_forward)
ok "unknown mistake in lab 2: not ok, and no known mistake named" \
  sh -c 'printf "%s\n" "$1" | grep -q "^not ok" && ! printf "%s\n" "$1" | grep -q "known mistake:"' - "$sec"
ok "... cache.z and h are wrong" sh -c 'printf "%s\n" "$1" | grep -Eq "^#   cache\.z +- " && printf "%s\n" "$1" | grep -Eq "^#   h +- "' - "$sec"
is "... r, n and q are right" "$(printf '%s\n' "$sec" | grep '^# right:')" "# right: cache.r, cache.n, cache.q"
# (the equations' lines: where the blank has them, as a student's file does)
out=$("$w" --src "$blank" --lab 3 --hint 2 2>"$TMP/err")
sec=$(item gru_step_backward)
is "unknown mistake in lab 3: only db_hh, gate n, is wrong" \
  "$(printf '%s\n' "$sec" | grep -E '^#   d[a-zA-Z_]+ ' | awk '{print $2, $3, $4, $5, $6}')" \
  "db_hh n 10 of 10"
is "... everything else is right" "$(printf '%s\n' "$sec" | grep '^# right:')" \
  "# right: dx, dh_prev, dW_ih, dW_hh, db_ih, db_hh r z"
ok "... HINT=2 points at gate n's equation lines in the file" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# look at lab/03-gru-backward\.c:[0-9]+:   dq      = da_n \* r$"' - "$sec"
out=$("$w" --src "$TMP/wrong" --lab 4 2>"$TMP/err")
sec=$(item gru_backward)
ok "unknown mistake in lab 4: right at T = 1, wrong from T = 3: told as a time-loop mistake" \
  sh -c 'printf "%s\n" "$1" | grep -q "^# right at T = 1, wrong from T = 3 on: the mistake is in the time loop"' - "$sec"
ok "... and it was run on the library's step backward in place of lab 3's" \
  sh -c 'printf "%s\n" "$1" | grep -q "^# (gru_backward ran with the library.s gru_step_backward in place of yours"' - "$sec"
out=$("$w" --src "$TMP/wrong" --lab 7 2>"$TMP/err")
sec=$(item lstm_step_forward)
is "unknown mistake in lab 7: only h and cache.o are wrong" \
  "$(printf '%s\n' "$sec" | grep -E '^#   [a-z.]+ +- ' | awk '{print $2}' | tr '\n' ' ')" "h cache.o "
is "... c and the gates i, f, g right" "$(printf '%s\n' "$sec" | grep '^# right:')" \
  "# right: c, cache.i, cache.f, cache.g, cache.tc"

# ---- a crash and an endless loop: reported, and the grading goes on ---------------
build bad bad/03-gru-backward.c bad/04-bptt.c
# (a limit of 1 s: the endless loop spins a core until then)
out=$("$TMP/bad.build/grader" --src "$TMP/bad" --timeout 1 2>"$TMP/err")
ok "a crash in lab 3 is reported with the function it was in" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# lab 3 (crashed \(SIG[A-Z]+\)|exited with status [0-9]+) in gru_step_backward$"' - "$out"
ok "an endless loop in lab 4 is stopped at the time limit and reported" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# lab 4 timed out after 1 s in .*gru_backward$"' - "$out"
is "... and every item after them is graded (labs 5 to 7 right)" \
  "$(printf '%s\n' "$out" | grep -cE '^ok [0-9]+ - lab [567]: ')" 10
is "... 15 right, 2 crashed or timed out, lab 4's forward not written" \
  "$(printf '%s\n' "$out" | tail -n 1 | sed 's/ (.*//')" \
  "# lab: 15 of 18 items right, 0 wrong, 2 crashed or timed out, 1 not written yet"

# ---- hints, in levels ------------------------------------------------------------
out=$("$b/grade-solutions" --as-mutant 03-z-swapped --src "$blank" 2>/dev/null)
ok "HINT=0: a known mistake is named, with its equation's line, and no hint" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# the equation: lab/03-gru-backward\.c:[0-9]+:   dn      = delta \* \(1 - z\)$" && ! printf "%s\n" "$1" | grep -q "^# hint:"' - "$out"
out=$("$b/grade-solutions" --as-mutant 03-z-swapped --src "$blank" --hint 1 2>/dev/null)
ok "HINT=1: and its hint" sh -c 'printf "%s\n" "$1" | grep -q "^# hint: z is the fraction of h_prev KEPT"' - "$out"
out=$("$b/grade-blank" --src "$blank" --lab 3 --hint 2 2>/dev/null)
ok "HINT=2 on a blank: where to start, as a line of the file" \
  sh -c 'printf "%s\n" "$1" | grep -Eq "^# start from lab/03-gru-backward\.c:[0-9]+:   dn      = delta \* \(1 - z\)$"' - "$out"
out=$("$b/grade-blank" --src "$blank" --lab 3 2>/dev/null)
ok "HINT=0 on a blank: no diagnostics at all" \
  sh -c '! printf "%s\n" "$1" | grep -q "^# [^l]"' - "$out"

# ---- instructors: lab/grade over a folder of submissions ------------------------
mkdir "$TMP/subs" "$TMP/subs/ann" "$TMP/subs/ben"
cp "$sol"/*.c "$TMP/subs/ann/"
cp "$sol/01-gates.c" "$top_srcdir/tests/lab/wrong/03-gru-backward.c" "$TMP/subs/ben/"
printf '#include "lab.h"\ndouble rel_error(double a, double n, double floor) { return a - ; }\n' \
  >"$TMP/subs/ben/05-gradcheck.c"
"$top_srcdir/lab/grade" --build "$top_builddir" --out "$TMP/grades" \
  "$TMP/subs/ann" "$TMP/subs/ben" >"$TMP/grade.out" 2>"$TMP/grade.err"
ok "lab/grade: exit 0, a TAP file per submission" \
  test $? = 0 -a -s "$TMP/grades/ann.tap" -a -s "$TMP/grades/ben.tap"
is "... one CSV: a header and 18 rows per submission" "$(grep -c . "$TMP/grades/summary.csv")" 37
is "... ann passes every item" "$(grep -c '^"ann",[0-9],"[^"]*",pass,' "$TMP/grades/summary.csv")" 18
ok "... ben: lab 3 fails, localised to db_hh gate n" \
  grep -q '^"ben",3,"gru_step_backward",fail,"","wrong: db_hh:n"$' "$TMP/grades/summary.csv"
ok "... ben: lab 5 did not compile, and the compiler's messages are in his TAP file" \
  sh -c 'grep -q "^\"ben\",5,\"rel_error\",compile-error," "$1/summary.csv" && grep -q "^#   .*05-gradcheck.c:2:.*error" "$1/ben.tap"' - "$TMP/grades"
is "... ben: labs 2, 4, 6 and 7, missing, are not written yet" \
  "$(grep -c '^"ben",[2467],"[^"]*",todo,' "$TMP/grades/summary.csv")" 9
done_testing
