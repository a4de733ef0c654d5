# notebook.sh -- the woven notebook, from --quick runs, in a temporary
# directory: every chapter page exists, every section shows exactly the
# output it printed and its charts, every page ends with its exercises,
# every image and link points to a file that exists, nothing refers to
# another host, and no raw TeX is left (tests/notebook_check.py says how).
# SKIPs, with the reason, when python3, pandoc or gnuplot is missing.
: "${top_builddir:=.}" "${top_srcdir:=.}" "${PYTHON3:=python3}"
for tool in "$PYTHON3:python3" pandoc:pandoc "${GNUPLOT:-gnuplot}:gnuplot-nox"; do
  prog=${tool%%:*}
  if ! command -v "$prog" >/dev/null 2>&1; then
    echo "1..0 # SKIP $prog is missing (Debian package ${tool#*:})"
    exit 0
  fi
done
TMP=$(mktemp -d "${TMPDIR:-/tmp}/grulab-notebook.XXXXXX") || exit 99
trap 'rm -rf "$TMP"' EXIT
weave() { "$PYTHON3" "$top_srcdir/chapters/weave.py" "$@"; }
for c in $NOTEBOOK_CHAPTERS; do
  weave run "$top_builddir/chapters/$c" "$TMP/run" --quick >"$TMP/log" 2>&1 || {
    echo "1..1"; echo "not ok 1 - the quick run of $c"; sed 's/^/# /' "$TMP/log"; exit 1; }
done
weave book --srcdir "$top_srcdir" --rundir "$TMP/run" --out "$TMP/book" --quick \
  $NOTEBOOK_CHAPTERS >"$TMP/log" 2>&1 || {
  echo "1..1"; echo "not ok 1 - weave.py book"; sed 's/^/# /' "$TMP/log"; exit 1; }
"$PYTHON3" "$top_srcdir/tests/notebook_check.py" "$TMP/book" "$TMP/run" $NOTEBOOK_CHAPTERS
