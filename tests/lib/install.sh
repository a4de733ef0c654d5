# tests/lib/install.sh -- the library as a user gets it.  `make install`
# into a temporary prefix; then the example program (examples/forward.c)
# and chapter 2 are built against that prefix alone: its headers under
# include/grulab and its pkg-config file, no header of the source tree but
# the chapter's own helpers (chapters/lib, src/app).  Both must print what
# the in-tree builds print.  And the prefix holds the public headers only,
# and the documentation.
. "$top_srcdir/tests/tap.sh"
plan 11
if [ -n "${GRL_MEMCHECK:-}" ]; then
  echo "1..0 # SKIP under memcheck: the install test runs no grulab code of its own"; exit 0
fi
P=$TMP/prefix
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${MAKE:-make} -C "$top_builddir" \
  install prefix="$P" >"$TMP/install.log" 2>&1
rc=$?
is "make install prefix=TMP exits 0" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/install.log" | tail -n 20

ls "$P/include/grulab" 2>/dev/null | sort | tr '\n' ' ' >"$TMP/headers"
is "the public headers, and only they, in include/grulab" "$(cat "$TMP/headers")" \
  "grl_cells.h grl_gradcheck.h grl_text.h grl_train.h grulab.h "
ok "README.md and LICENSE in share/doc/grulab" \
  test -f "$P/share/doc/grulab/README.md" -a -f "$P/share/doc/grulab/LICENSE"
ok "the PyTorch module in share/grulab/python" test -f "$P/share/grulab/python/grulab_torch.py"

pc() { PKG_CONFIG_PATH="$P/lib/pkgconfig" ${PKG_CONFIG:-pkg-config} --define-variable=prefix="$P" "$@" grulab; }
cflags=$(pc --cflags) && libs=$(pc --libs)
case " $cflags " in
  *" -I$P/include/grulab "*) have=yes ;; *) have=no ;;
esac
is "pkg-config --cflags points at include/grulab ($cflags)" "$have" yes
# Nothing of the source tree on the compiler's path but what is named.
# A library built with the sanitizers (configure --enable-sanitizers)
# wants its programs built with them too.
rpath="-Wl,-rpath,$P/lib"
san=${SAN_FLAGS:-}

# shellcheck disable=SC2086
$CC $san $cflags -o "$TMP/forward" "$top_srcdir/examples/forward.c" $libs -lm $rpath \
  >"$TMP/cc.log" 2>&1
is "examples/forward.c builds against the prefix" "$?" 0
for c in gru mgu; do
  is "the installed example's output is the in-tree one's ($c)" \
    "$("$TMP/forward" "$c" 2>&1)" "$("$top_builddir/examples/forward" "$c" 2>&1)"
done

# Chapter 2: the chapter, its helpers, and the application layer (with
# the libraries it links, APP_LIBS), with a config.h that asks only for
# the GNU declarations.
mkdir -p "$TMP/cfg"
echo '#define _GNU_SOURCE 1' >"$TMP/cfg/config.h"
# shellcheck disable=SC2086
$CC $san ${OPENMP_CFLAGS:-} -I"$TMP/cfg" $cflags ${APP_CFLAGS:-} \
  -I"$top_srcdir/chapters/lib" -I"$top_srcdir/src/app" -o "$TMP/ch02" \
  "$top_srcdir/chapters/ch02-hidden-state.c" "$top_srcdir"/chapters/lib/*.c \
  "$top_srcdir"/src/app/*.c $libs ${APP_LIBS:-} -lm $rpath \
  >>"$TMP/cc.log" 2>&1
rc=$?
is "chapter 2 builds against the prefix" "$rc" 0
[ "$rc" = 0 ] || sed 's/^/# /' "$TMP/cc.log" | tail -n 20
"$TMP/ch02" --quick --outdir "$TMP/o1" 2>&1 | sed "s|$TMP/o1|OUT|g" >"$TMP/ch02.1"
"$top_builddir/chapters/ch02-hidden-state" --quick --outdir "$TMP/o2" 2>&1 \
  | sed "s|$TMP/o2|OUT|g" >"$TMP/ch02.2"
ok "the installed chapter 2 prints what the in-tree one prints" cmp -s "$TMP/ch02.1" "$TMP/ch02.2"
ok "... and writes the same charts' data" diff -r "$TMP/o1" "$TMP/o2"
done_testing
