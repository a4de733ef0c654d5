# tests/cli/model-file.sh -- a model file says what it is (issue 26 §1).
# `grulab init` and `grulab train --save` write the record
#   # grulab-model version=1 cell=C input_size=I hidden_size=H num_layers=1
#     readout=none|linear output_size=O vocabulary=V
# and every reader checks it: a file read as another cell, with sizes,
# a readout or a vocabulary that disagree with its tensors, a later
# version, or tensors the model does not use, is one line on stderr that
# names both sides, exit 1, nothing on stdout.  --cell is optional where
# the file names it; a file without the record still reads, with a note.
. "$top_srcdir/tests/tap.sh"

plan 28

P=$TMP/gru.params
"$GRULAB" init --cell gru --input-size 3 --hidden-size 4 --seed 5 >"$P"
printf 'input 2 1 3\n0.5 -1 0.25\n1 0 -0.5\n' >"$TMP/x.data"

like() { # NAME STRING PATTERN
  if printf '%s\n' "$2" | grep -Eq -- "$3"; then pass "$1"; else fail "$1"; diag "got: $2" "want /$3/"; fi
}

# ---- the record as written ---------------------------------------------------
like "init writes the record first" "$(head -n 1 "$P")" \
  '^# grulab-model version=1 cell=gru input_size=3 hidden_size=4 num_layers=1 readout=none output_size=0 vocabulary=0$'
run_cli forward --params "$P" --data "$TMP/x.data"
ok "forward without --cell reads the record's cell (rc $rc, no note)" test "$rc" = 0 -a -z "$err"
want=$out
run_cli forward --cell gru --params "$P" --data "$TMP/x.data"
is "and prints what --cell gru prints" "$out" "$want"

"$GRULAB" init --cell lstm --input-size 2 --hidden-size 3 --seed 4 >"$TMP/lstm.params"
run_cli gradcheck --params "$TMP/lstm.params"
like "gradcheck without --cell checks the cell the file records" "$(printf '%s\n' "$out" | tail -n 1)" \
  '^worst relative error: .* \(cell lstm, method central'
run_cli gradnorm --params "$TMP/lstm.params" --seq-len 3
like "gradnorm without --cell reads the file's cell (rc $rc)" "$rc $(printf '%s\n' "$out" | head -n 1)" \
  '^0 # grulab gradnorm cell=lstm T=3 H=3 '

# ---- wrong cell: gru and gru-cho have the same shapes -------------------------
fails_with "wrong cell: gru file as gru-cho names both" 1 \
  "gru.params:1: the record says cell=gru, but cell gru-cho was asked for" \
  forward --cell gru-cho --params "$P" --data "$TMP/x.data"
sed 's/cell=gru /cell=grux /' "$P" >"$TMP/unk.params"
fails_with "an unknown cell in the record lists the cells" 1 \
  "unk.params:1: the record says cell=grux, which this grulab does not have \(.*gru-cho.*\)" \
  forward --params "$TMP/unk.params" --data "$TMP/x.data"
sed 's/cell=gru /cell=lstm /' "$P" >"$TMP/lie.params"
fails_with "a record that lies about the cell: the tensors say otherwise" 1 \
  "lie.params:[0-9]+: tensor 'weight_hh_l0' has shape 12x4: not a parameter file for the lstm cell" \
  forward --params "$TMP/lie.params" --data "$TMP/x.data"

# ---- wrong sizes -------------------------------------------------------------
sed 's/hidden_size=4/hidden_size=5/' "$P" >"$TMP/h5.params"
fails_with "wrong hidden size names both" 1 \
  "h5.params:1: the record says input_size=3 hidden_size=5, but the gru tensors hold I=3 H=4" \
  forward --params "$TMP/h5.params" --data "$TMP/x.data"
sed 's/input_size=3/input_size=2/' "$P" >"$TMP/i2.params"
fails_with "wrong input size names both" 1 \
  "the record says input_size=2 hidden_size=4, but the gru tensors hold I=3 H=4" \
  forward --params "$TMP/i2.params" --data "$TMP/x.data"
sed 's/num_layers=1/num_layers=2/' "$P" >"$TMP/l2.params"
fails_with "two layers in the record, one layer's tensors" 1 \
  "l2.params: no tensor 'weight_ih_l1'" \
  forward --params "$TMP/l2.params" --data "$TMP/x.data"
sed 's/readout=none output_size=0/readout=linear output_size=2/' "$P" >"$TMP/ro.params"
fails_with "a readout the file does not have" 1 \
  "ro.params:1: the record says readout=linear output_size=2, but the file has no readout_weight, O=0" \
  forward --params "$TMP/ro.params" --data "$TMP/x.data"

# ---- future version, malformed records ---------------------------------------
sed 's/version=1/version=2/; s/vocabulary=0/vocabulary=0 dtype=float16/' "$P" >"$TMP/v2.params"
fails_with "a later format version is refused as such" 1 \
  "v2.params:1: model record version 2 is newer than this grulab reads \(version 1\)" \
  forward --params "$TMP/v2.params" --data "$TMP/x.data"
sed 's/vocabulary=0/vocabulary=0 dtype=float16/' "$P" >"$TMP/key.params"
fails_with "an unknown field of version 1" 1 "key.params:1: model record: unknown field 'dtype'" \
  forward --params "$TMP/key.params" --data "$TMP/x.data"
sed 's/ num_layers=1//' "$P" >"$TMP/nolayers.params"
fails_with "a missing field" 1 "nolayers.params:1: model record without num_layers=" \
  forward --params "$TMP/nolayers.params" --data "$TMP/x.data"
(head -n 1 "$P"; cat "$P") >"$TMP/two.params"
fails_with "two records" 1 "two.params:2: a second model record \(the first is at line 1\)" \
  forward --params "$TMP/two.params" --data "$TMP/x.data"

# ---- tensors the model does not use ------------------------------------------
# torch's nn.GRU(num_layers=2) adds weight_ih_l1 ... bias_hh_l1.
{ cat "$P"
  awk 'BEGIN { for (k = 0; k < 2; k++) { printf "%s_l1 12 4\n", k ? "weight_hh" : "weight_ih"
               for (i = 0; i < 12; i++) print "0.1 0.1 0.1 0.1" }
             for (k = 0; k < 2; k++) { printf "%s_l1 12\n", k ? "bias_hh" : "bias_ih"
               for (i = 0; i < 12; i++) print "0.1" } }'; } >"$TMP/layer1.params"
grep -v '^# grulab-model' "$TMP/layer1.params" >"$TMP/layer1.torch"
# without a record, the _l1 tensors say two layers (stacked layers, issue
# 25): h_n is (L, B, H)
run_cli forward --cell gru --params "$TMP/layer1.torch" --data "$TMP/x.data"
is "a 2-layer torch file reads as two layers: h_n (2, B, H)" \
  "$rc:$(printf '%s\n' "$out" | grep '^h_n ')" "0:h_n 2 1 4"
fails_with "and so does the file with its record" 1 "layer1.params:[0-9]+: tensors 'weight_ih_l1'" \
  forward --params "$TMP/layer1.params" --data "$TMP/x.data"
(cat "$P"; printf 'bias_z 4\n0 0 0 0\n') >"$TMP/stray.params"
fails_with "a stray tensor is named" 1 "stray.params:[0-9]+: tensor 'bias_z' is not used by a 1-layer gru model: a misspelt name" \
  forward --params "$TMP/stray.params" --data "$TMP/x.data"
sed 's/^bias_hh_l0/bias_hh_10/' "$P" >"$TMP/typo.params"
fails_with "a misspelt tensor: the missing name and the stray one" 1 \
  "typo.params: no tensor 'bias_hh_l0'; .*typo.params:[0-9]+: tensor 'bias_hh_10' is not used" \
  forward --params "$TMP/typo.params" --data "$TMP/x.data"

# ---- a file without the record (an older grulab's, or torch's) ---------------
grep -v '^# grulab-model' "$P" >"$TMP/old.params"
run_cli forward --params "$TMP/old.params" --data "$TMP/x.data"
ok "an old file still reads (rc $rc) and gives the same output" test "$rc" = 0 -a "$out" = "$want"
like "with a note that the cell was assumed" "$err" \
  "^grulab: forward: note: .*old.params: no model record .*read as cell gru, the default; give --cell if it is another$"
run_cli forward --cell gru --params "$TMP/old.params" --data "$TMP/x.data"
like "with --cell: the note says it was read as asked" "$err" "read as cell gru, as asked$"

# ---- a text model: readout and vocabulary ------------------------------------
awk 'BEGIN { for (i = 0; i < 400; i++) printf "abcab%c", 100 + i % 3 }' >"$TMP/t.txt"
run_cli train --task text --text "$TMP/t.txt" --steps 2 --hidden-size 6 --bptt 8 --batch 2 --save "$TMP/tx.params"
like "train --save writes the text model's record" "$(head -n 1 "$TMP/tx.params")" \
  '^# grulab-model version=1 cell=gru input_size=6 hidden_size=6 num_layers=1 readout=linear output_size=6 vocabulary=6$'
run_cli sample --params "$TMP/tx.params" --bytes 10 --seed 3
ok "sample without --cell reads it (rc $rc, 11 bytes)" test "$rc" = 0 -a "${#out}" = 11 -a -z "$err"
fails_with "sample: wrong cell" 1 "sample: --params: .*tx.params:1: the record says cell=gru, but cell mgu was asked for" \
  sample --cell mgu --params "$TMP/tx.params"
sed '1s/vocabulary=6/vocabulary=5/' "$TMP/tx.params" >"$TMP/v5.params"
fails_with "sample: wrong vocabulary names both" 1 \
  "v5.params:1: the record says vocabulary=5, but the tensor 'vocabulary' \(line [0-9]+\) holds 6 bytes" \
  sample --params "$TMP/v5.params"
awk '/^vocabulary/ { print "vocabulary 5"; getline; $6 = ""; print; next } { print }' "$TMP/tx.params" |
  sed '1s/vocabulary=6/vocabulary=5/' >"$TMP/vshort.params"
fails_with "sample: a vocabulary the sizes cannot read" 1 \
  "vshort.params:1: the record says vocabulary=5, but a text model of it reads and predicts V bytes: input_size=6, output_size=6" \
  sample --params "$TMP/vshort.params"
