"""grulab_torch -- grulab's parameter files to and from a PyTorch state_dict.

Standard library and torch only.  Put this file's folder on sys.path (it
is installed in $(datadir)/grulab/python) and:

    import torch, grulab_torch as gt

    # PyTorch -> grulab: an nn.GRU (or nn.RNN, nn.LSTM) of any num_layers
    # (one direction, with biases), a readout nn.Linear(H, O), and a text
    # model's vocabulary (its bytes)
    gru = torch.nn.GRU(3, 5, dtype=torch.float64)
    head = torch.nn.Linear(5, 4, dtype=torch.float64)
    gt.save("model.params", gru, readout=head)
    #   grulab forward --params model.params --data x.data

    # grulab -> PyTorch: the module, the readout and the vocabulary
    m = gt.load("gsl.params")          # from grulab train --task text --save
    m.rnn, m.readout, m.vocabulary     # nn.GRU, nn.Linear, bytes

The file format is grulab's named-tensor text format (doc/grulab.1, MODEL
FILES): a record line

    # grulab-model version=1 cell=gru input_size=I hidden_size=H num_layers=L
      readout=linear|none output_size=O vocabulary=V     (one line)

then, per tensor, a header "NAME D1 [D2 [D3]]" and one row of the last
dimension per line, every number with %.17g, so every float64 round-trips
exactly: a file written here from what load() read is the same bytes as
the file grulab wrote.  Tensor names are PyTorch's state_dict names
(weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, then weight_ih_l1,
... for a stack of num_layers = L > 1, layer by layer as nn.GRU(num_layers=L)
orders them; the readout's readout_weight and readout_bias are
nn.Linear's weight and bias).  The cells gru-cho, mgu and seed have no
torch module: load() gives their tensors in .state_dict (layer l > 0's
names end in _l<l>, as grulab writes them) and leaves .rnn None.
"""
import collections

import torch

FORMAT = 1
RECORD = "grulab-model"
# grulab's cells that are torch modules, and the module for each
MODULES = {"gru": torch.nn.GRU, "rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}
FIELDS = ["version", "cell", "input_size", "hidden_size", "num_layers",
          "readout", "output_size", "vocabulary"]


class FormatError(ValueError):
    """A file this module cannot read as grulab writes it."""


Model = collections.namedtuple(
    "Model", "cell record state_dict rnn readout vocabulary")
Model.__doc__ = """What load() reads.
    cell        grulab's cell name ("gru", "lstm", ...)
    record      the record's fields (dict), or None for an older file
    state_dict  every tensor of the file but the vocabulary, float64
    rnn         the torch module (nn.GRU, nn.RNN, nn.LSTM) or None
    readout     nn.Linear(H, O), or None without a readout
    vocabulary  the text model's bytes (ascending), or None"""


# ---- the text format -----------------------------------------------------

def read_tensors(path):
    """(record, tensors): the record's text after 'grulab-model' (or None)
    and an ordered dict name -> float64 tensor, shapes as the headers say."""
    record, tensors = None, collections.OrderedDict()
    with open(path, encoding="ascii") as f:
        lines = f.read().split("\n")
    i, n = 0, len(lines)
    while i < n:
        line = lines[i].strip()
        i += 1
        if not line:
            continue
        if line.startswith("#"):
            words = line[1:].split(None, 1)
            if words and words[0] == RECORD:
                if record is not None:
                    raise FormatError(f"{path}:{i}: a second model record")
                record = words[1] if len(words) > 1 else ""
            continue
        head = line.split()
        name, dims = head[0], [int(d) for d in head[1:]]
        if not dims or name in tensors:
            raise FormatError(f"{path}:{i}: bad or repeated header '{line}'")
        size = 1
        for d in dims:
            size *= d
        values = []
        while len(values) < size:
            if i >= n:
                raise FormatError(f"{path}: tensor '{name}' ends early")
            row = lines[i].strip()
            i += 1
            if row and not row.startswith("#"):
                values.extend(float(v) for v in row.split())
        if len(values) != size:
            raise FormatError(f"{path}: tensor '{name}' has {len(values)} "
                              f"numbers, not {size}")
        tensors[name] = torch.tensor(values, dtype=torch.float64).reshape(dims)
    return record, tensors


def write_tensors(f, tensors):
    """Write name -> tensor as grulab does: one row of the last dimension
    per line, %.17g."""
    for name, t in tensors.items():
        t = t.detach().to(torch.float64).cpu()
        f.write(name + " " + " ".join(str(d) for d in t.shape) + "\n")
        rows = t.reshape(-1, t.shape[-1]).tolist()
        for row in rows:
            f.write(" ".join("%.17g" % v for v in row) + "\n")


def parse_record(text, path="<record>"):
    """The record's fields as a dict (sizes as int); a later version, an
    unknown or missing field is a FormatError."""
    fields = dict(w.split("=", 1) for w in text.split())
    version = int(fields.get("version", "0"))
    if version < 1:
        raise FormatError(f"{path}: model record without a version")
    if version > FORMAT:
        raise FormatError(f"{path}: model record version {version} is newer "
                          f"than this module reads ({FORMAT})")
    if set(fields) != set(FIELDS):
        raise FormatError(f"{path}: model record fields {sorted(fields)}, "
                          f"want {FIELDS}")
    for k in FIELDS:
        if k not in ("cell", "readout"):
            fields[k] = int(fields[k])
    return fields


def format_record(cell, input_size, hidden_size, output_size, vocabulary,
                  num_layers=1):
    return (f"# {RECORD} version={FORMAT} cell={cell} input_size={input_size}"
            f" hidden_size={hidden_size} num_layers={num_layers}"
            f" readout={'linear' if output_size else 'none'}"
            f" output_size={output_size} vocabulary={vocabulary}\n")


# ---- grulab -> torch -------------------------------------------------------

def load(path, cell=None):
    """Read a grulab parameter file (see Model).  cell is needed only for
    a file without a record (an older grulab's); it must agree with the
    record when both are there."""
    text, tensors = read_tensors(path)
    record = parse_record(text, path) if text is not None else None
    if record:
        if cell and cell != record["cell"]:
            raise FormatError(f"{path}: the record says cell={record['cell']}"
                              f", but cell {cell} was asked for")
        cell = record["cell"]
        if record["num_layers"] < 1:
            raise FormatError(f"{path}: num_layers={record['num_layers']}")
    cell = cell or "gru"
    # the layers: the record's, or (an older file) as many as the tensors
    L = record["num_layers"] if record else count_layers(tensors, cell)
    if count_layers(tensors, cell) != L:
        raise FormatError(f"{path}: the record says num_layers={L}, but the "
                          f"file holds {count_layers(tensors, cell)} layers' "
                          "tensors")
    vocab = tensors.pop("vocabulary", None)
    vocabulary = bytes(int(b) for b in vocab.tolist()) if vocab is not None else None
    readout = None
    if "readout_weight" in tensors:
        w, b = tensors["readout_weight"], tensors["readout_bias"]
        readout = torch.nn.Linear(w.shape[1], w.shape[0], dtype=torch.float64)
        with torch.no_grad():
            readout.weight.copy_(w)
            readout.bias.copy_(b)
    rnn = None
    if cell in MODULES:
        wih = tensors["weight_ih_l0"]
        wanted = {f"{w}_{k}_l{l}" for l in range(L)
                  for w in ("weight", "bias") for k in ("ih", "hh")}
        stray = set(tensors) - wanted - {"readout_weight", "readout_bias"}
        if stray:
            raise FormatError(f"{path}: tensors {sorted(stray)} are not used "
                              f"by a {L}-layer {cell} model")
        hidden = tensors["weight_hh_l0"].shape[1]
        rnn = MODULES[cell](wih.shape[1], hidden, num_layers=L,
                            dtype=torch.float64)
        rnn.load_state_dict({k: tensors[k] for k in wanted}, strict=True)
    if record:
        got = (rnn.input_size, rnn.hidden_size) if rnn else None
        want = (record["input_size"], record["hidden_size"])
        if got and got != want:
            raise FormatError(f"{path}: the record says input_size={want[0]} "
                              f"hidden_size={want[1]}, but the tensors hold "
                              f"{got}")
        if (record["vocabulary"] or None) != (len(vocabulary) if vocabulary else None):
            raise FormatError(f"{path}: the record says vocabulary="
                              f"{record['vocabulary']}, the file holds "
                              f"{len(vocabulary) if vocabulary else 0} bytes")
    return Model(cell, record, tensors, rnn, readout, vocabulary)


def count_layers(state, cell):
    """How many stacked layers a state_dict with grulab's names holds:
    1 + the last l with layer l's hidden-to-hidden tensor (weight_hh_l<l>,
    or for the seed cell weight_f_l<l>, layer 0's being weight_f)."""
    if cell == "seed":
        name = lambda l: "weight_f" if l == 0 else f"weight_f_l{l}"
    else:
        name = lambda l: f"weight_hh_l{l}"
    L = 0
    while name(L) in state:
        L += 1
    return L


# ---- torch -> grulab -------------------------------------------------------

def save(path, rnn, readout=None, vocabulary=None, cell=None):
    """Write a grulab parameter file with its record.

    rnn         an nn.GRU, nn.RNN (tanh) or nn.LSTM of any num_layers
                (one direction, with biases, no projection), or a
                state_dict with grulab's names (then give cell)
    readout     nn.Linear(H, O) (readout_weight, readout_bias), or None
    vocabulary  a text model's bytes (ascending, O = I = their count)
    """
    if isinstance(rnn, torch.nn.Module):
        for name, kind in MODULES.items():
            if type(rnn) is kind:
                cell = cell or name
        if cell not in MODULES or type(rnn) is not MODULES[cell]:
            raise ValueError(f"cannot save a {type(rnn).__name__} as cell {cell}")
        if rnn.bidirectional or not rnn.bias \
                or getattr(rnn, "proj_size", 0):
            raise ValueError("grulab reads one direction, with biases and "
                             "no projection")
        if cell == "rnn" and rnn.nonlinearity != "tanh":
            raise ValueError("grulab's rnn cell is tanh")
        state = rnn.state_dict()
        I, H, L = rnn.input_size, rnn.hidden_size, rnn.num_layers
    else:
        if cell is None:
            raise ValueError("a state_dict needs its cell")
        state = collections.OrderedDict(rnn)
        key = "weight_f" if cell == "seed" else "weight_hh_l0"
        H = state[key].shape[0 if cell == "seed" else 1]
        I = (state["weight_f"].shape[1] - H if cell == "seed"
             else state["weight_ih_l0"].shape[1])
        L = count_layers(state, cell)
    tensors = collections.OrderedDict((k, state[k]) for k in state)
    O = 0
    if readout is not None:
        if readout.in_features != H:
            raise ValueError(f"readout reads {readout.in_features} features, "
                             f"the cell has H={H}")
        tensors["readout_weight"] = readout.weight
        tensors["readout_bias"] = readout.bias
        O = readout.out_features
    V = 0
    if vocabulary is not None:
        vocabulary = bytes(vocabulary)
        if list(vocabulary) != sorted(set(vocabulary)) or not (I == O == len(vocabulary)):
            raise ValueError("the vocabulary must be ascending distinct bytes, "
                             "as many as the input and output sizes")
        V = len(vocabulary)
    with open(path, "w", encoding="ascii") as f:
        f.write(format_record(cell, I, H, O, V, L))
        write_tensors(f, tensors)
        if V:
            write_tensors(f, {"vocabulary": torch.tensor(list(vocabulary),
                                                         dtype=torch.float64)})


def save_model(path, m):
    """Write back what load() read: the same bytes as the file grulab wrote."""
    if m.rnn is not None:
        save(path, m.rnn, m.readout, m.vocabulary, m.cell)
    else:
        state = collections.OrderedDict(
            (k, v) for k, v in m.state_dict.items()
            if k not in ("readout_weight", "readout_bias"))
        save(path, state, m.readout, m.vocabulary, m.cell)
