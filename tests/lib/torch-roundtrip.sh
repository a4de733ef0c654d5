# tests/lib/torch-roundtrip.sh -- python/grulab_torch.py both ways
# (tests/lib/torch-roundtrip.py says what is checked).  It needs a python3
# with torch (Debian's python3-torch; $PYTHON_TORCH names another) and
# SKIPs, saying so, without one.
if [ -n "${GRL_MEMCHECK:-}" ]; then
  echo "1..0 # SKIP under memcheck: the grulab runs here are the CLI tests' own"; exit 0
fi
for py in ${PYTHON_TORCH:-} /usr/bin/python3 python3; do
  if "$py" -c 'import torch' >/dev/null 2>&1; then
    exec "$py" "$top_srcdir/tests/lib/torch-roundtrip.py"
  fi
done
echo "1..0 # SKIP no python3 with torch (apt-get install python3-torch, or set PYTHON_TORCH)"
