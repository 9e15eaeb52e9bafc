"""Minimal safetensors reader (F32/I32) with json + numpy, for the PyTorch twin."""
import json
import struct

import numpy as np

_DTYPES = {"F32": np.float32, "I32": np.int32, "F64": np.float64, "I64": np.int64}


def read_safetensors(path):
    """Returns {name: numpy array} of a .safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf8"))
    base = 8 + n
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        if h["dtype"] not in _DTYPES:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {h['dtype']}")
        a, b = h["data_offsets"]
        arr = np.frombuffer(raw[base + a : base + b], dtype=_DTYPES[h["dtype"]])
        out[name] = arr.reshape(h["shape"]).copy()
    return out
