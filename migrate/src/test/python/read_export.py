"""Reads a Quiver export file with pyarrow and pandas, as a user would, and checks it.

usage: read_export.py FILE EXPECTED_RECORDS
Checks the schema and footer metadata, recomputes the SHA-256 of the rows as documented in
ExportFormat, and checks the planted record 'edge-1' value by value with Python types.
Prints OK and exits 0, or prints what is wrong and exits 1.
"""
import hashlib
import json
import struct
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

path, expected = sys.argv[1], int(sys.argv[2])
problems = []

with pa.memory_map(path) as source:
    reader = ipc.open_file(source)
    schema = reader.schema
    meta = {k.decode(): v.decode() for k, v in (schema.metadata or {}).items()}
    footer = {k.decode(): v.decode() for k, v in (reader.metadata or {}).items()}
    table = reader.read_all()

if meta.get("quiver.format") != "quiver-export" or meta.get("quiver.format_version") != "1":
    problems.append(f"schema metadata: {meta}")
spec = json.loads(meta["quiver.spec"])
dim = spec["dimension"]
vtype = schema.field("vector").type
if not (pa.types.is_fixed_size_list(vtype) and vtype.list_size == dim and vtype.value_type == pa.float32()):
    problems.append(f"vector type {schema.field('vector').type}")
if table.num_rows != expected or footer.get("quiver.records") != str(expected):
    problems.append(f"rows {table.num_rows}, footer {footer.get('quiver.records')}, expected {expected}")

# the documented checksum, recomputed
h = hashlib.sha256()
ids = table.column("id").to_pylist()
vectors = table.column("vector").to_pylist()
metas = table.column("metadata").to_pylist()
types = table.column("metadata_types").to_pylist()
for i in range(table.num_rows):
    for part in (ids[i].encode(),):
        h.update(struct.pack(">I", len(part)) + part)
    h.update(np.asarray(vectors[i], dtype="<f4").tobytes())
    for part in (metas[i].encode(), types[i].encode()):
        h.update(struct.pack(">I", len(part)) + part)
if h.hexdigest() != footer.get("quiver.sha256"):
    problems.append(f"sha256 {h.hexdigest()} != footer {footer.get('quiver.sha256')}")

# pandas: read_feather reads the same file; metadata values keep their types through json.loads
df = pd.read_feather(path)
row = df[df["id"] == "edge-1"].iloc[0]
m = json.loads(row["metadata"])
t = json.loads(row["metadata_types"])
checks = {
    "big": (int, 9007199254740993, "long"),
    "maxlong": (int, 9223372036854775807, "long"),
    "half": (float, 1000000000000000.5, "double"),
    "one": (float, 1.0, "double"),
    "count": (int, 1, "long"),
    "flag": (bool, True, "bool"),
    "text": (str, "it's \"quoted\" \\ 日本 🙂", "string"),
    "tags": (list, ["a", "é"], "list<string>"),
    "empty": (list, [], "list<string>"),
}
for key, (typ, value, tag) in checks.items():
    got = m.get(key)
    if type(got) is not typ or got != value or t.get(key) != tag:
        problems.append(f"{key}: got {got!r} ({type(got).__name__}, tag {t.get(key)}), want {value!r} ({typ.__name__}, {tag})")
negz = m.get("negz")
if not (isinstance(negz, float) and negz == 0.0 and str(negz) == "-0.0"):
    problems.append(f"negz: {negz!r}")
vec = np.asarray(row["vector"], dtype=np.float32)
want = np.asarray([0.1, -2.5, 3e-8, 65504.0], dtype=np.float32)
if vec.dtype != np.float32 or not np.array_equal(vec[:4], want):
    problems.append(f"vector {vec[:4]} != {want}")

if problems:
    print("FAILED:\n  " + "\n  ".join(problems))
    sys.exit(1)
print(f"OK {table.num_rows} rows, pyarrow {pa.__version__}, pandas {pd.__version__}, sha256 verified")
