# notebook-setup.sh -- what the notebook's tests (tests/notebook/*.sh) and
# tests/notebook/quick-book.sh share; each sources it:
#   notebook_need PROG:PACKAGE...  for the first PROG that is not on the
#                                  PATH, a TAP "SKIP" plan naming its Debian
#                                  package, and exit 0
#   notebook_need_chromium         the same unless chromium-headless-shell
#                                  or chromium is on the PATH
#   notebook_runs NAME             the --quick runs of $CHAPTER_NAMES
#                                  that the tests share, in $TMP/run
#                                  (TMP as below)
#   notebook_weave NAME            the book woven from --quick runs of
#                                  $CHAPTER_NAMES in $TMP/book (runs in
#                                  $TMP/run), TMP a new temporary directory
#                                  grulab-NAME.XXXXXX removed on exit: make's
#                                  (below), or woven here; if a run or the
#                                  weaving fails, one failing TAP test with
#                                  the weaver's output, and exit 1.  NAME
#                                  share weaves into $SHARED (make's).
: "${top_builddir:=.}" "${top_srcdir:=.}" "${PYTHON3:=python3}"
. "$top_srcdir/tests/chapters/quick-run.sh"

weave() { "$PYTHON3" "$top_srcdir/chapters/weave.py" "$@"; }

notebook_need() {
  for tool in "$@"; do
    prog=${tool%%:*}
    if ! command -v "$prog" >/dev/null 2>&1; then
      echo "1..0 # SKIP $prog is missing (Debian package ${tool#*:})"
      exit 0
    fi
  done
}

# The book make wove for the tests (tests/notebook/quick-book.sh) is kept
# in $SHARED (run/ and book/, then a stamp): the notebook's, the browser's
# and the lecture's tests read it.  Each weaves its own when it is
# missing (the weaving failed: the test says why) or older than a chapter,
# the weaver or a quick run (a test run by hand).
SHARED=$top_builddir/tests/notebook/quick-book
shared_fresh() {
  [ -f "$SHARED/stamp" ] || return 1
  for c in $CHAPTER_NAMES; do
    [ "$top_builddir/chapters/$c" -nt "$SHARED/stamp" ] && return 1
    [ "$top_builddir/tests/chapters/quick/$c.rc" -nt "$SHARED/stamp" ] && return 1
  done
  [ "$top_srcdir/chapters/weave.py" -nt "$SHARED/stamp" ] && return 1
  return 0
}

# notebook_need_chromium: the TAP "SKIP" plan, and exit 0, when neither
# Chromium's headless shell nor chromium is on the PATH (the weaver and the
# browser test use the shell when it is there).
notebook_need_chromium() {
  command -v chromium-headless-shell >/dev/null 2>&1 && return 0
  command -v chromium >/dev/null 2>&1 && return 0
  echo "1..0 # SKIP chromium is missing (Debian package chromium-headless-shell or chromium)"
  exit 0
}

notebook_runs() {
  TMP=$(mktemp -d "${TMPDIR:-/tmp}/grulab-$1.XXXXXX") || exit 99
  trap 'rm -rf "$TMP"' EXIT
  if [ "$1" != share ] && shared_fresh; then
    ln -s "$SHARED/run" "$TMP/run"
    return 0
  fi
  # The runs make made for the tests (tests/chapters/quick-run.sh), laid
  # out as weave.py run leaves them: NAME.run and the charts, in one folder.
  mkdir "$TMP/run"
  for c in $CHAPTER_NAMES; do
    quick_run "$c"
    if [ "$(cat "$QUICK/$c.rc")" != 0 ]; then
      echo "1..1"; echo "not ok 1 - the quick run of $c"
      sed 's/^/# /' "$QUICK/$c.err"; exit 1
    fi
    ln -s "$QUICK/$c.run" "$TMP/run/$c.run"
    for f in "$QUICK/$c"/*; do ln -s "$f" "$TMP/run/"; done
  done
}

# weave_or_fail WHAT ARGS...: weave.py ARGS, or one failing TAP test.
weave_or_fail() {
  what=$1; shift
  weave "$@" >"$TMP/log" 2>&1 || {
    echo "1..1"; echo "not ok 1 - $what"; sed 's/^/# /' "$TMP/log"; exit 1; }
}

notebook_weave() {
  notebook_runs "$1"
  if [ "$1" != share ] && shared_fresh; then
    ln -s "$SHARED/book" "$TMP/book"
    return 0
  fi
  weave book --srcdir "$top_srcdir" --rundir "$TMP/run" --out "$TMP/book" --quick \
    --labs "${LAB_FILE_NAMES:-}" \
    $CHAPTER_NAMES >"$TMP/log" 2>&1 || {
    echo "1..1"; echo "not ok 1 - weave.py book"; sed 's/^/# /' "$TMP/log"; exit 1; }
  if [ "$1" = share ]; then
    rm -rf "$SHARED" && mkdir -p "$SHARED" &&
      cp -RL "$TMP/run" "$TMP/book" "$SHARED/" && : >"$SHARED/stamp"
  fi
}
