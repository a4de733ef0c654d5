# chapter.sh -- the TAP test of one chapter, sourced by tests/chNN-slug.sh:
#   . "$top_srcdir/tests/chapters/chapter.sh"; chapter_test chNN-slug
#
# It reads the chapter's --quick run (seed 7) that make check made for
# every test that reads it (tests/chapters/quick-run.sh), runs the chapter
# again where a check needs it, and checks:
#  - --help prints the lesson's summary and exits 0, and names the default
#    --outdir (plots/) without the build tree's absolute path; a bad option exits 2
#    with one line on stderr and nothing on stdout, before the lesson
#    starts: an unknown option, a seed with a leading blank, and each line
#    of chapter_bad_options (set it before sourcing; one argument list per
#    line, shell-quoted, e.g. "--steps 0");
#  - writing to a full disk (/dev/full) fails: exit 1, one line on stderr;
#  - the run exits 0 with nothing on stderr;
#  - every chart the chapter declares (--charts) was written, .dat and .gp,
#    and nothing else was;
#  - each .dat declares its layout ("# columns: ..." or "# matrix: R C")
#    and every data line has that many fields, all finite numbers; with
#    chapter_params_once=yes (set it before sourcing), no "# param KEY" is
#    recorded twice;
#  - each .gp loads the shared style.gp; the template it loads, if any
#    ("load 'templates/NAME.gp'"), exists in the source tree's plots/;
#    and, where gnuplot is installed, it renders to PNG with nothing at
#    all on stderr (no warnings);
#  - the same --seed twice gives byte-identical output and charts
#    (set chapter_mask to a sed -E expression that blanks what may differ,
#    such as wall-clock seconds; chapter_mask_columns, an awk regular
#    expression, blanks the .dat columns whose declared names match it
#    before the charts are compared; chapter_determinism=no skips the check);
#  - if chapter_threads is set (e.g. "--threads 1"), the second run of
#    the determinism check takes those extra arguments, so the same
#    output and charts also show that the thread count changes nothing
#    (one run fewer; with chapter_determinism=no, a run of its own).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/chapters/quick-run.sh"

skip_test() { tap_n=$((tap_n + 1)); echo "ok $tap_n # SKIP $1"; }

# same_chart A B: A and B are the same chart file, once the .dat columns
# named by chapter_mask_columns (if set) are blanked.
same_chart() {
  case "$1" in
    *.dat)
      if test -n "${chapter_mask_columns:-}"; then
        mask_cols() {
          awk -v re="$chapter_mask_columns" '
            /^# columns:/ { n = split(substr($0, 12), col, " ") }
            /^#/ || NF == 0 { print; next }
            { for (i = 1; i <= NF; i++) if (col[i] ~ re) $i = "MASKED"; print }' "$1"
        }
        mask_cols "$1" >"$TMP/mask.a"
        mask_cols "$2" >"$TMP/mask.b"
        cmp -s "$TMP/mask.a" "$TMP/mask.b"
        return
      fi ;;
  esac
  cmp -s "$1" "$2"
}

# check_dat FILE: prints nothing if FILE is a well-formed chart data file,
# else one line saying what is wrong.
check_dat() {
  awk -v once="${chapter_params_once:-no}" '
    function fail(msg) { bad = FILENAME ":" FNR ": " msg; exit }
    BEGIN { layout = ""; n = 0; lines = 0; inblock = 0 }
    /^# columns:/ {
      if (layout != "") fail("layout declared twice")
      layout = "columns"; s = $0; sub(/^# columns:[ ]*/, "", s)
      n = split(s, names, " "); next
    }
    /^# matrix:/ {
      if (layout != "") fail("layout declared twice")
      layout = "matrix"; rows = $3 + 0; n = $4 + 0
      if (rows < 1 || n < 1) fail("bad matrix declaration")
      next
    }
    /^# param / {
      if (once == "yes" && ($3 in param)) fail("param " $3 " recorded twice")
      param[$3] = 1; next
    }
    /^#/ { next }
    /^[ \t]*$/ {
      if (layout == "matrix" && inblock > 0 && inblock != rows)
        fail("matrix block of " inblock " lines, " rows " declared")
      inblock = 0; next
    }
    {
      if (layout == "") fail("data before a # columns: or # matrix: line")
      if (NF != n) fail(NF " fields, " n " declared")
      for (i = 1; i <= NF; i++)
        if ($i !~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/)
          fail("field " i " is not a finite number: " $i)
      lines++; inblock++
    }
    END {
      if (bad == "" && layout == "") bad = FILENAME ": no layout declared"
      if (bad == "" && lines == 0) bad = FILENAME ": no data"
      if (bad == "" && layout == "matrix" && inblock > 0 && inblock != rows)
        bad = FILENAME ": last matrix block of " inblock " lines, " rows " declared"
      if (bad != "") print bad
    }' "$1"
}

# bad_option_test ARGS: the chapter, run with the shell-quoted ARGS, exits 2
# with nothing on stdout and one line on stderr, and writes no chart.
bad_option_test() {
  spec=$1
  mkdir "$TMP/bad-opt"
  eval "set -- $spec"
  "$bin" --quick --outdir "$TMP/bad-opt" "$@" >"$TMP/bad" 2>"$TMP/bad.err"; rc=$?
  if test "$rc" = 2 && ! test -s "$TMP/bad" \
     && test "$(grep -c '' "$TMP/bad.err")" = 1 \
     && test -z "$(ls "$TMP/bad-opt")"; then
    pass "$chap $spec: exit 2, one line on stderr, before the lesson starts"
  else
    fail "$chap $spec: exit 2, one line on stderr, before the lesson starts"
    diag "exit $rc; stderr:" "$(cat "$TMP/bad.err")" "stdout:" "$(head -n 5 "$TMP/bad")"
  fi
  rm -rf "$TMP/bad-opt"
}

# same_run DIR ARG...: the quick run again, with ARG..., into $TMP/DIR;
# same=yes if its output and charts are the shared run's (once
# chapter_mask and chapter_mask_columns blank what may differ), else
# same="no: what differs".
same_run() {
  d=$TMP/$1
  shift
  sh "$top_srcdir/tests/chapters/quick-run.sh" "$bin" "$d" "$@"
  sed -E -e "${chapter_mask:-s/^\$//}" "$QUICK/$chap.run" >"$TMP/a.cmp"
  sed -E -e "${chapter_mask:-s/^\$//}" "$d/$chap.run" >"$TMP/b.cmp"
  same=yes
  cmp -s "$TMP/a.cmp" "$TMP/b.cmp" || same="no: stdout differs"
  for f in $(cd "$A" && ls); do
    same_chart "$A/$f" "$d/$chap/$f" || same="no: $f differs"
  done
}

chapter_test() {
  chap=$1
  bin="$top_builddir/chapters/$chap"
  args="--quick --seed 7"
  charts=$("$bin" --charts 2>/dev/null)
  ncharts=$(printf '%s\n' "$charts" | grep -c .)
  nbad=$(printf '%s\n' "${chapter_bad_options:-}" | grep -c .)
  nthr=0
  test -n "${chapter_threads:-}" && test "${chapter_determinism:-yes}" = no && nthr=1
  plan $((10 + nbad + nthr + 5 * ncharts))

  # --help and a bad option.
  "$bin" --help >"$TMP/help" 2>"$TMP/help.err"; rc=$?
  ok "$chap --help exits 0 and prints the lesson's summary" \
    test "$rc" = 0 -a -s "$TMP/help" -a ! -s "$TMP/help.err"
  # The default --outdir is the build tree's plots/, an absolute path;
  # --help says so in words instead of printing this machine's path.
  ok "$chap --help names the default --outdir, plots/, without the build tree's path" \
    sh -c 'grep -q "^  --outdir DIR .*(default: plots/" "$1" && ! grep -qF "$2" "$1"' \
    _ "$TMP/help" "$top_builddir"
  "$bin" --no-such-option >"$TMP/bad" 2>"$TMP/bad.err"; rc=$?
  ok "$chap --no-such-option exits 2 with one line on stderr" \
    test "$rc" = 2 -a ! -s "$TMP/bad" -a "$(grep -c '' "$TMP/bad.err")" = 1
  ok "$chap --charts declares at least one chart" test "$ncharts" -ge 1
  # A blank before the number must not slip past the sign check
  # (strtoul would read ' -1' as 18446744073709551615).
  bad_option_test "--seed ' -1'"
  if test -n "${chapter_bad_options:-}"; then
    while IFS= read -r line; do
      test -n "$line" && bad_option_test "$line"
    done <<EOF_BAD
$chapter_bad_options
EOF_BAD
  fi

  # A full disk: the lesson cannot be read, so it did not pass.
  if test -w /dev/full; then
    "$bin" --help >/dev/full 2>"$TMP/full.err"; rc=$?
    ok "$chap --help >/dev/full exits 1 with one line on stderr" \
      test "$rc" = 1 -a "$(grep -c '' "$TMP/full.err")" = 1
    mkdir "$TMP/full"
    "$bin" $args --outdir "$TMP/full" >/dev/full 2>"$TMP/full.err"; rc=$?
    if test "$rc" = 1 && test "$(grep -c '' "$TMP/full.err")" = 1; then
      pass "$chap $args >/dev/full exits 1 with one line on stderr"
    else
      fail "$chap $args >/dev/full exits 1 with one line on stderr"
      diag "exit $rc; stderr:" "$(cat "$TMP/full.err")"
    fi
    rm -rf "$TMP/full"
  else
    skip_test "no /dev/full: --help to a full disk not checked"
    skip_test "no /dev/full: a run to a full disk not checked"
  fi

  # The quick run: make's, which the notebook's, the cross-references' and
  # the exercises' tests read too (tests/chapters/quick-run.sh), seed 7.
  quick_run "$chap"
  A=$QUICK/$chap
  rc=$(cat "$QUICK/$chap.rc")
  grep -v '^#grl:' "$QUICK/$chap.run" >"$TMP/a.out"
  if test "$rc" = 0 && ! test -s "$QUICK/$chap.err"; then
    pass "$chap $args exits 0, stderr empty"
  else
    fail "$chap $args exits 0, stderr empty"
    # The failed checks themselves (a check prints "... FAILED" on its
    # line, under its section's "== [K]" rule), then where the run ended.
    diag "exit $rc; stderr:" "$(cat "$QUICK/$chap.err")" \
      "failed checks (line of stdout: text), each after its section:" \
      "$(awk '/^== \[/ { sec = FNR ": " $0 }
              / FAILED$| FAILED \(/ { if (sec != shown) print sec; shown = sec
                          print FNR ": " $0 }' "$TMP/a.out")" \
      "last lines of stdout:" "$(tail -n 5 "$TMP/a.out")"
  fi

  # Every chart renders to PNG with no warning.  One gnuplot renders them
  # all ('reset session' between charts: the same bytes as a gnuplot
  # each); only when that fails or warns does each chart get its own, to
  # say which.
  batch_ok=no
  if test -n "${GNUPLOT:-}"; then
    for c in $charts; do
      printf "set loadpath '%s'\ngrl_term='png'; grl_output='%s'\nload '%s.gp'\nreset session\n" \
        "$top_srcdir/plots" "$TMP/$c.png" "$c"
    done >"$TMP/all.gp"
    if (cd "$A" && "$GNUPLOT" "$TMP/all.gp") >"$TMP/gp.out" 2>"$TMP/gp.err" \
       && ! test -s "$TMP/gp.err"; then
      batch_ok=yes
    fi
  fi

  for c in $charts; do
    ok "$c.dat and $c.gp exist and are not empty" \
      test -s "$A/$c.dat" -a -s "$A/$c.gp"
    if test -f "$A/$c.dat"; then
      why=$(check_dat "$A/$c.dat")
    else
      why="$c.dat is missing"
    fi
    is "$c.dat has its declared columns and finite numbers" "$why" ""
    ok "$c.gp loads the shared style.gp" \
      grep -q "^load 'style.gp'" "$A/$c.gp"
    tmpl=$(sed -n "s/^load '\(templates\/[^']*\)'\$/\1/p" "$A/$c.gp" 2>/dev/null)
    if test -z "$tmpl"; then
      skip_test "$c.gp loads no template"
    else
      ok "$c.gp loads $tmpl, which exists in plots/" \
        test -f "$top_srcdir/plots/$tmpl"
    fi
    if test -z "${GNUPLOT:-}"; then
      skip_test "gnuplot is not installed: $c.gp not rendered"
    elif test "$batch_ok" = yes && test -s "$TMP/$c.png"; then
      pass "$c.gp renders with gnuplot, no warnings"
      rm -f "$TMP/$c.png"
    else
      # (the picture goes to $TMP: other tests read the run's folder)
      (cd "$A" && "$GNUPLOT" -e "set loadpath '$top_srcdir/plots'" \
         -e "grl_term='png'; grl_output='$TMP/$c.png'" "$c.gp") \
         >"$TMP/gp.out" 2>"$TMP/gp.err"; rc=$?
      if test "$rc" = 0 && test -s "$TMP/$c.png" && ! test -s "$TMP/gp.err"; then
        pass "$c.gp renders with gnuplot, no warnings"
      else
        fail "$c.gp renders with gnuplot, no warnings"
        diag "exit $rc; gnuplot said:" "$(cat "$TMP/gp.err")"
      fi
      rm -f "$TMP/$c.png"
    fi
  done

  # Nothing undeclared: every chart file belongs to a declared chart.
  extra=
  for f in $(cd "$A" && ls); do
    base=${f%.*}
    printf '%s\n' "$charts" | grep -qx "$base" || extra="$extra $f"
  done
  is "$chap writes no undeclared files" "$extra" ""

  # Determinism: the same seed again, into another directory.  With
  # chapter_threads, that run takes them: one run checks both that a seed
  # repeats and that the thread count changes nothing.
  if test "${chapter_determinism:-yes}" = no; then
    skip_test "determinism not checked for $chap"
  else
    same_run b ${chapter_threads:-}
    is "$chap: the same --seed${chapter_threads:+ with $chapter_threads} gives byte-identical output and charts" \
      "$same" yes
  fi

  # The thread count alone, when determinism is not checked.
  if test -n "${chapter_threads:-}" && test "${chapter_determinism:-yes}" = no; then
    same_run c $chapter_threads
    is "$chap $chapter_threads: the same output and charts as the default threads" \
      "$same" yes
  fi
  done_testing
}
