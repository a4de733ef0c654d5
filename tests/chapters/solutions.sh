# solutions.sh -- `chNN-slug --solutions`, the answer key's source: it exits
# 0 and prints one line per exercise, and every answer it prints is one
# that `--answer K VALUE` accepts (the key and the checker agree); an
# exercise it gives no number for is one --answer refuses to check.
. "$top_srcdir/tests/tap.sh"
: "${top_builddir:=.}"
for c in $CHAPTER_NAMES; do
  ch=$top_builddir/chapters/$c
  "$ch" --solutions >"$TMP/$c" 2>"$TMP/$c.err"; rc=$?
  nex=$("$ch" --help | sed -n 's/^  \([0-9]\)\. .*/\1/p' | tail -n 1)
  is "$c --solutions exits 0, one line per exercise ($nex), stderr empty" \
    "$rc $(grep -c '^  [0-9]\. ' "$TMP/$c") $(wc -c <"$TMP/$c.err")" "0 $nex 0"
  while read -r k v rest; do
    k=${k%.}
    if [ "$v" = "(no" ]; then
      "$ch" --answer "$k" 1 >/dev/null 2>&1; rc=$?
      is "$c exercise $k: no number, and --answer has none to check" "$rc" 2
    else
      out=$("$ch" --answer "$k" "$v" 2>&1); rc=$?
      if [ "$rc" = 0 ] && printf '%s' "$out" | grep -q ": $v is right"; then
        pass "$c exercise $k: --answer takes the key's $v"
      else
        fail "$c exercise $k: --answer takes the key's $v"
        diag "exit $rc: $out"
      fi
    fi
  done <<EOF_KEY
$(grep '^  [0-9]\. ' "$TMP/$c")
EOF_KEY
done
echo "1..$tap_n"
done_testing
