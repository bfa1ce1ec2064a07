#!/usr/bin/env python3
"""A wire-faithful Qdrant gRPC test server over the real Qdrant engine (qdrant-edge).

Serves the Qdrant gRPC services ``qdrant.Qdrant``, ``qdrant.Collections`` and
``qdrant.Points`` (the generated stubs shipped in PyPI's ``qdrant-client``) and
delegates every point operation to **qdrant-edge** (PyPI ``qdrant-edge-py``):
the real Rust segment/shard crates of Qdrant (storage, payload filters,
HNSW/plain vector index, scoring), embedded, without a server. One edge shard
per collection, under ``--data-dir``.

What the engine does and what this shim adds is listed in
docs/backends/qdrant.md ("Which Qdrant it ran against, and how"). In short:
the shim provides the collections layer (name registry, create/get/list/
exists/delete, the stored create request incl. collection metadata, the
``CollectionInfo`` answer), the gRPC request/response translation, request
validation, Qdrant's gRPC status codes and message texts, and the
``wait``/``UpdateResult`` bookkeeping, the request defaults and the order of
Get answers, and it triggers the engine's optimizers; the engine provides
everything about points (upsert/delete/payload updates, retrieve, scroll order
and ``next_page_offset``, exact count, filters, search and scores, HNSW).

Only the RPCs the Quiver adapter uses (plus a few neighbours that cost nothing)
are implemented; every other RPC answers UNIMPLEMENTED, like grpc's default
servicer, so a new adapter call cannot silently pass.

Run:  python qdrant_edge_server.py --port 6334 --data-dir /tmp/qd
"""

import argparse
import logging
import math
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent import futures

import grpc
import numpy as np
import qdrant_edge as qe
from qdrant_client.grpc import collections_pb2 as col
from qdrant_client.grpc import collections_service_pb2_grpc as col_grpc
from qdrant_client.grpc import json_with_int_pb2 as jwi
from qdrant_client.grpc import points_pb2 as pts
from qdrant_client.grpc import points_service_pb2_grpc as pts_grpc
from qdrant_client.grpc import qdrant_common_pb2 as cmn
from qdrant_client.grpc import qdrant_pb2 as qd
from qdrant_client.grpc import qdrant_pb2_grpc as qd_grpc

LOG = logging.getLogger("qdrant-edge-server")

# The gRPC API version the stubs implement (qdrant-client 1.18.x = Qdrant 1.18 protos).
API_VERSION = "1.18.0"
EDGE_VERSION = "0.9.0"
TITLE = "qdrant - vector search engine (quiver test shim over qdrant-edge-py %s)" % EDGE_VERSION

# Qdrant 1.18 defaults reported in CollectionInfo (lib/collection/src/config.rs, config/config.yaml)
DEFAULT_HNSW = dict(m=16, ef_construct=100, full_scan_threshold=10000, max_indexing_threads=0, on_disk=False)
DEFAULT_OPTIMIZERS = dict(deleted_threshold=0.2, vacuum_min_vector_number=1000, default_segment_number=0,
                          indexing_threshold=10000, flush_interval_sec=5)
DEFAULT_WAL = dict(wal_capacity_mb=32, wal_segments_ahead=0, wal_retain_closed=1)

INVALID_NAME_CHARS = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\u001f']

DISTANCES = {
    col.Distance.Cosine: qe.Distance.Cosine,
    col.Distance.Euclid: qe.Distance.Euclid,
    col.Distance.Dot: qe.Distance.Dot,
    col.Distance.Manhattan: qe.Distance.Manhattan,
}


# --------------------------------------------------------------------------- errors

class RpcError(Exception):
    """A gRPC status with Qdrant's message text."""

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code
        self.message = message


def not_found_collection(name):
    # StorageError::NotFound Display, from CollectionError::NotFound{what: "Collection `x`"} ... "doesn't exist!"
    return RpcError(grpc.StatusCode.NOT_FOUND, "Not found: Collection `%s` doesn't exist!" % name)


def bad_input(description):
    # StorageError::BadInput Display
    return RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Wrong input: %s" % description)


def validation(field, message):
    # src/tonic/api/mod.rs validate(): label_errors("Validation error in body", ..)
    return RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Validation error in body: [%s: %s]" % (field, message))


def unimplemented(what):
    return RpcError(grpc.StatusCode.UNIMPLEMENTED,
                    "%s is not implemented by the qdrant-edge test shim" % what)


_NO_POINT = re.compile(r"No point with id (\S+?)(?: found)?$")


def engine_error(exc):
    """Maps an exception raised by qdrant-edge (segment OperationError Display text) the way Qdrant's
    collection/storage layers map the same OperationError (CollectionError -> StorageError -> Status)."""
    msg = str(exc)
    m = _NO_POINT.search(msg)
    if m:
        # CollectionError::PointNotFound -> StorageError::NotFound
        return RpcError(grpc.StatusCode.NOT_FOUND, "Not found: No point with id %s found" % m.group(1))
    if msg.startswith("Service internal error") or "panicked" in msg:
        return RpcError(grpc.StatusCode.INTERNAL, msg)
    # WrongVectorDimension, VectorNameNotExists, TypeError, ValidationError, ... -> CollectionError::BadInput
    return bad_input(msg)


# --------------------------------------------------------------------------- values and ids

def value_to_py(v):
    kind = v.WhichOneof("kind")
    if kind is None or kind == "null_value":
        return None
    if kind == "double_value":
        d = v.double_value
        if math.isnan(d) or math.isinf(d):
            # lib/api/src/conversions/json.rs: serde_json::Number::from_f64 fails
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "cannot convert to json number")
        return d
    if kind == "integer_value":
        return v.integer_value
    if kind == "string_value":
        return v.string_value
    if kind == "bool_value":
        return v.bool_value
    if kind == "struct_value":
        return {k: value_to_py(x) for k, x in v.struct_value.fields.items()}
    if kind == "list_value":
        return [value_to_py(x) for x in v.list_value.values]
    raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "unknown value kind %s" % kind)


def py_to_value(x):
    v = jwi.Value()
    if x is None:
        v.null_value = jwi.NullValue.NULL_VALUE
    elif isinstance(x, bool):
        v.bool_value = x
    elif isinstance(x, int):
        # json.rs: Number::as_i64() first -> integer_value
        if -(1 << 63) <= x < (1 << 63):
            v.integer_value = x
        else:
            v.double_value = float(x)
    elif isinstance(x, float):
        v.double_value = x
    elif isinstance(x, str):
        v.string_value = x
    elif isinstance(x, dict):
        v.struct_value.SetInParent()
        for k, y in x.items():
            v.struct_value.fields[k].CopyFrom(py_to_value(y))
    elif isinstance(x, (list, tuple)):
        v.list_value.SetInParent()
        for y in x:
            v.list_value.values.append(py_to_value(y))
    else:
        raise RpcError(grpc.StatusCode.INTERNAL, "unexpected payload value %r" % (x,))
    return v


def payload_to_py(m):
    return {k: value_to_py(v) for k, v in m.items()}


def point_id_to_py(pid):
    which = pid.WhichOneof("point_id_options")
    if which == "num":
        return pid.num
    if which == "uuid":
        try:
            return uuid.UUID(pid.uuid)
        except ValueError:
            raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "Unable to parse UUID: %s" % pid.uuid)
    raise RpcError(grpc.StatusCode.INVALID_ARGUMENT, "No ID options provided")


def py_to_point_id(x):
    pid = cmn.PointId()
    if isinstance(x, uuid.UUID):
        pid.uuid = str(x)
    elif isinstance(x, int):
        pid.num = x
    else:
        pid.uuid = str(uuid.UUID(str(x)))
    return pid


# --------------------------------------------------------------------------- filters

def match_to_edge(m):
    which = m.WhichOneof("match_value")
    if which == "keyword":
        return qe.MatchValue(m.keyword)
    if which == "integer":
        return qe.MatchValue(m.integer)
    if which == "boolean":
        # Binding quirk (qdrant-edge-py 0.9.0): a Python bool is extracted as an integer (bool subclasses
        # int), so MatchValue(True) becomes Match integer 1. numpy.bool_ is not an int and is extracted
        # as a real bool, giving the engine's own Match::Bool semantics.
        return qe.MatchValue(np.bool_(m.boolean))
    if which == "text":
        return qe.MatchText(m.text)
    if which == "phrase":
        return qe.MatchPhrase(m.phrase)
    if which == "text_any":
        return qe.MatchTextAny(m.text_any)
    if which == "keywords":
        return qe.MatchAny(list(m.keywords.strings))
    if which == "integers":
        return qe.MatchAny(list(m.integers.integers))
    if which == "except_keywords":
        return qe.MatchExcept(list(m.except_keywords.strings))
    if which == "except_integers":
        return qe.MatchExcept(list(m.except_integers.integers))
    raise bad_input("empty match condition")


def opt(msg, field):
    return getattr(msg, field) if msg.HasField(field) else None


def timestamp_iso(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts.seconds)) + ".%06dZ" % (ts.nanos // 1000)


def field_condition_to_edge(fc):
    kw = {}
    if fc.HasField("match"):
        kw["match"] = match_to_edge(fc.match)
    if fc.HasField("range"):
        r = fc.range
        kw["range"] = qe.RangeFloat(gte=opt(r, "gte"), gt=opt(r, "gt"), lte=opt(r, "lte"), lt=opt(r, "lt"))
    if fc.HasField("datetime_range"):
        r = fc.datetime_range
        kw["range"] = qe.RangeDateTime(**{k: timestamp_iso(getattr(r, k)) for k in ("gte", "gt", "lte", "lt")
                                          if r.HasField(k)})
    if fc.HasField("values_count"):
        r = fc.values_count
        kw["values_count"] = qe.ValuesCount(gte=opt(r, "gte"), gt=opt(r, "gt"), lte=opt(r, "lte"), lt=opt(r, "lt"))
    if fc.HasField("geo_bounding_box"):
        b = fc.geo_bounding_box
        kw["geo_bounding_box"] = qe.GeoBoundingBox(qe.GeoPoint(b.top_left.lon, b.top_left.lat),
                                                   qe.GeoPoint(b.bottom_right.lon, b.bottom_right.lat))
    if fc.HasField("geo_radius"):
        g = fc.geo_radius
        kw["geo_radius"] = qe.GeoRadius(qe.GeoPoint(g.center.lon, g.center.lat), g.radius)
    if fc.HasField("geo_polygon"):
        p = fc.geo_polygon
        kw["geo_polygon"] = qe.GeoPolygon([qe.GeoPoint(x.lon, x.lat) for x in p.exterior.points],
                                          [[qe.GeoPoint(x.lon, x.lat) for x in ring.points] for ring in p.interiors])
    if fc.HasField("is_empty"):
        kw["is_empty"] = fc.is_empty
    if fc.HasField("is_null"):
        kw["is_null"] = fc.is_null
    return qe.FieldCondition(fc.key, **kw)


def condition_to_edge(c):
    which = c.WhichOneof("condition_one_of")
    if which == "field":
        return field_condition_to_edge(c.field)
    if which == "is_empty":
        return qe.IsEmptyCondition(c.is_empty.key)
    if which == "is_null":
        return qe.IsNullCondition(c.is_null.key)
    if which == "has_id":
        return qe.HasIdCondition({point_id_to_py(p) for p in c.has_id.has_id})
    if which == "filter":
        return filter_to_edge(c.filter)
    if which == "nested":
        return qe.NestedCondition(c.nested.key, filter_to_edge(c.nested.filter))
    if which == "has_vector":
        return qe.HasVectorCondition(c.has_vector.has_vector)
    raise bad_input("empty condition")


def filter_to_edge(f):
    kw = {}
    if len(f.must):
        kw["must"] = [condition_to_edge(c) for c in f.must]
    if len(f.should):
        kw["should"] = [condition_to_edge(c) for c in f.should]
    if len(f.must_not):
        kw["must_not"] = [condition_to_edge(c) for c in f.must_not]
    if f.HasField("min_should"):
        kw["min_should"] = qe.MinShould([condition_to_edge(c) for c in f.min_should.conditions],
                                        f.min_should.min_count)
    return qe.Filter(**kw)


def opt_filter(msg, field="filter"):
    return filter_to_edge(getattr(msg, field)) if msg.HasField(field) else None


# --------------------------------------------------------------------------- selectors and vectors

def with_payload_to_edge(sel, default):
    if sel is None:
        return default
    which = sel.WhichOneof("selector_options")
    if which == "enable":
        return sel.enable
    if which == "include":
        return qe.PayloadSelector.Include(list(sel.include.fields))
    if which == "exclude":
        return qe.PayloadSelector.Exclude(list(sel.exclude.fields))
    return default


def with_vectors_to_edge(sel):
    if sel is None:
        return False
    which = sel.WhichOneof("selector_options")
    if which == "enable":
        return sel.enable
    if which == "include":
        return list(sel.include.names)
    return False


def dense_of(vec):
    """Reads a grpc Vector: the oneof dense (current clients) or the deprecated data field."""
    which = vec.WhichOneof("vector")
    if which == "dense":
        return [float(x) for x in vec.dense.data]
    if which is None:
        if vec.HasField("indices"):
            raise unimplemented("sparse vectors")
        return [float(x) for x in vec.data]
    raise unimplemented("%s vectors" % which)


def vectors_to_edge(vs, coll):
    if vs is None:
        return {}
    which = vs.WhichOneof("vectors_options")
    if which == "vector":
        if coll.single:
            return dense_of(vs.vector)
        return {"": dense_of(vs.vector)}
    if which == "vectors":
        named = {name: dense_of(v) for name, v in vs.vectors.vectors.items()}
        if coll.single and set(named) == {""}:
            return named[""]
        return named
    return {}


def dense_output(data):
    out = pts.VectorOutput()
    out.dense.data.extend(data)
    return out


def vectors_output(vec, coll):
    """VectorsOutput as Qdrant builds it (lib/api/src/conversions/vectors.rs): dense data in the oneof
    `dense` (the deprecated `data` left empty); a single unnamed vector as `vector`, otherwise named."""
    out = pts.VectorsOutput()
    if isinstance(vec, dict):
        if coll.single and set(vec) <= {""}:
            if "" in vec:
                out.vector.CopyFrom(dense_output(vec[""]))
            return out
        out.vectors.SetInParent()
        for name, data in vec.items():
            out.vectors.vectors[name].CopyFrom(dense_output(data))
    else:
        out.vector.CopyFrom(dense_output(vec))
    return out


def fill_point(msg, rec, coll):
    msg.id.CopyFrom(py_to_point_id(rec.id))
    if rec.payload:
        for k, v in rec.payload.items():
            msg.payload[k].CopyFrom(py_to_value(v))
    if rec.vector is not None:
        msg.vectors.CopyFrom(vectors_output(rec.vector, coll))


# --------------------------------------------------------------------------- collections

class Collection:
    """One collection: an edge shard plus what the shim keeps about it (the create request)."""

    def __init__(self, name, path, create, shard):
        self.name = name
        self.path = path
        self.create = create  # the CreateCollection request as received (metadata, configs)
        self.shard = shard
        self.lock = threading.RLock()
        self.single = create.vectors_config.WhichOneof("config") == "params"
        self.op_id = 0
        self.dropped = False
        self.dirty = False  # written since the last optimizer run

    def next_op(self):
        self.op_id += 1
        return self.op_id


def hnsw_merge(*diffs):
    out = dict(DEFAULT_HNSW)
    for d in diffs:
        if d is None:
            continue
        for k in ("m", "ef_construct", "full_scan_threshold", "max_indexing_threads", "on_disk", "payload_m",
                  "inline_storage"):
            if d.HasField(k):
                out[k] = getattr(d, k)
    return out


def edge_hnsw(h):
    return qe.HnswIndexConfig(m=h["m"], ef_construct=h["ef_construct"], full_scan_threshold=h["full_scan_threshold"],
                              max_indexing_threads=h["max_indexing_threads"], on_disk=h.get("on_disk"),
                              payload_m=h.get("payload_m"))


def edge_config(create):
    coll_hnsw_diff = create.hnsw_config if create.HasField("hnsw_config") else None
    coll_hnsw = hnsw_merge(coll_hnsw_diff)

    def vp(p, field):
        if p.size < 1 or p.size > 65536:
            raise validation(field + ".size", "value %d invalid, must be from 1 to 65536" % p.size)
        if p.distance not in DISTANCES:
            raise validation(field + ".distance", "unknown distance %d" % p.distance)
        kw = {}
        if p.HasField("on_disk"):
            kw["on_disk"] = p.on_disk
        if p.HasField("hnsw_config"):
            kw["hnsw_config"] = edge_hnsw(hnsw_merge(coll_hnsw_diff, p.hnsw_config))
        if p.HasField("quantization_config") or p.HasField("multivector_config") or p.HasField("datatype"):
            raise unimplemented("quantization, multivector and datatype vector options")
        return qe.EdgeVectorParams(size=p.size, distance=DISTANCES[p.distance], **kw)

    vc = create.vectors_config
    which = vc.WhichOneof("config") if create.HasField("vectors_config") else None
    if which == "params":
        vectors = vp(vc.params, "vectors_config.params")
    elif which == "params_map":
        vectors = {name: vp(p, "vectors_config.params_map.%s" % name) for name, p in vc.params_map.map.items()}
    else:
        raise unimplemented("collections without dense vectors")
    if create.HasField("sparse_vectors_config") and len(create.sparse_vectors_config.map):
        raise unimplemented("sparse vectors")
    kw = {}
    if create.HasField("on_disk_payload"):
        kw["on_disk_payload"] = create.on_disk_payload
    opt = optimizers_merge(create)
    kw["optimizers"] = qe.EdgeOptimizersConfig(
        deleted_threshold=opt["deleted_threshold"], vacuum_min_vector_number=opt["vacuum_min_vector_number"],
        default_segment_number=opt["default_segment_number"], indexing_threshold=opt["indexing_threshold"],
        max_segment_size=opt.get("max_segment_size"))
    return qe.EdgeConfig(vectors=vectors, hnsw_config=edge_hnsw(coll_hnsw), **kw)


# --optimize-sync: run the optimizers before answering each write (see main())
OPTIMIZE_SYNC = False


def optimize(c):
    """Runs qdrant-edge's segment optimizers on a collection (its lock held)."""
    c.dirty = False
    try:
        t = time.monotonic()
        if c.shard.optimize():
            info = c.shard.info()
            LOG.info("optimized %s in %.2fs: %d segments, %d indexed vectors", c.name, time.monotonic() - t,
                     info.segments_count, info.indexed_vectors_count)
    except Exception:  # noqa: BLE001
        LOG.exception("optimizer failed on %s", c.name)


# --indexing-threshold-kb: overrides Qdrant's default indexing_threshold (e.g. to force HNSW graphs on small data)
INDEXING_THRESHOLD_OVERRIDE = None


def optimizers_merge(create):
    out = dict(DEFAULT_OPTIMIZERS)
    if INDEXING_THRESHOLD_OVERRIDE is not None:
        out["indexing_threshold"] = INDEXING_THRESHOLD_OVERRIDE
    if create.HasField("optimizers_config"):
        o = create.optimizers_config
        for k in ("deleted_threshold", "vacuum_min_vector_number", "default_segment_number", "max_segment_size",
                  "indexing_threshold", "flush_interval_sec"):
            if o.HasField(k):
                out[k] = getattr(o, k)
    return out


class Registry:
    """The shim's collections layer: names -> shards under one data dir (survives a restart)."""

    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.lock = threading.RLock()
        self.collections = {}
        os.makedirs(os.path.join(data_dir, "collections"), exist_ok=True)
        self._load()

    def _dir(self, name):
        return os.path.join(self.data_dir, "collections", name.encode("utf-8").hex())

    def _load(self):
        root = os.path.join(self.data_dir, "collections")
        for d in sorted(os.listdir(root)):
            path = os.path.join(root, d)
            meta = os.path.join(path, "create.pb")
            if not os.path.isfile(meta):
                shutil.rmtree(path, ignore_errors=True)  # a half-created collection
                continue
            create = col.CreateCollection.FromString(open(meta, "rb").read())
            shard = qe.EdgeShard.load(os.path.join(path, "shard"))
            self.collections[create.collection_name] = Collection(create.collection_name, path, create, shard)
            LOG.info("loaded collection %s", create.collection_name)

    def get(self, name):
        with self.lock:
            c = self.collections.get(name)
        if c is None:
            raise not_found_collection(name)
        return c

    def create(self, req):
        name = req.collection_name
        if not 1 <= len(name) <= 255:
            raise validation("collection_name", 'value "%s" invalid, must be from 1 to 255 characters' % name)
        for ch in INVALID_NAME_CHARS:
            if ch in name:
                raise validation("collection_name", 'collection name cannot contain "%s" char' % ch)
        with self.lock:
            if name in self.collections:
                # StorageError::AlreadyExists shares BadInput's "Wrong input:" format
                raise RpcError(grpc.StatusCode.ALREADY_EXISTS, "Wrong input: Collection `%s` already exists!" % name)
            config = edge_config(req)
            path = self._dir(name)
            shutil.rmtree(path, ignore_errors=True)
            os.makedirs(path)
            try:
                shard = qe.EdgeShard.create(os.path.join(path, "shard"), config)
            except Exception as e:
                shutil.rmtree(path, ignore_errors=True)
                raise engine_error(e)
            with open(os.path.join(path, "create.pb.tmp"), "wb") as f:
                f.write(req.SerializeToString())
            os.replace(os.path.join(path, "create.pb.tmp"), os.path.join(path, "create.pb"))
            self.collections[name] = Collection(name, path, req, shard)
            return True

    def delete(self, name):
        with self.lock:
            c = self.collections.pop(name, None)
        if c is None:
            return False  # toc/collection_meta_ops.rs delete_collection: Ok(false)
        with c.lock:
            c.dropped = True
            try:
                c.shard.close()
            except Exception:  # noqa: BLE001 - already closed
                pass
            shutil.rmtree(c.path, ignore_errors=True)
        return True

    def optimize_dirty(self):
        """Qdrant runs its segment optimizers (merge, vacuum, HNSW indexing above indexing_threshold) in
        the background after updates; qdrant-edge runs them only when asked, so the shim asks."""
        with self.lock:
            colls = list(self.collections.values())
        for c in colls:
            if not c.dirty:
                continue
            with c.lock:
                if not c.dropped and c.dirty:
                    optimize(c)

    def names(self):
        with self.lock:
            return sorted(self.collections)

    def close(self):
        with self.lock:
            for c in self.collections.values():
                with c.lock:
                    try:
                        c.shard.flush()
                        c.shard.close()
                    except Exception:  # noqa: BLE001
                        pass


# --------------------------------------------------------------------------- services

def rpc(method):
    """Runs one handler: RpcError -> its status; a qdrant-edge exception -> Qdrant's mapping of it."""

    def wrapper(self, request, context):
        start = time.monotonic()
        try:
            return method(self, request, start)
        except RpcError as e:
            LOG.info("%s -> %s %s", method.__name__, e.code.name, e.message)
            context.abort(e.code, e.message)
        except grpc.RpcError:
            raise
        except Exception as e:  # noqa: BLE001
            if type(e) is Exception:  # qdrant-edge raises plain Exception with the engine's message
                err = engine_error(e)
            else:
                LOG.exception("shim failure in %s", method.__name__)
                err = RpcError(grpc.StatusCode.INTERNAL, "Service internal error: %s: %s" % (type(e).__name__, e))
            LOG.info("%s -> %s %s", method.__name__, err.code.name, err.message)
            context.abort(err.code, err.message)

    wrapper.__name__ = method.__name__
    return wrapper


def elapsed(start):
    return time.monotonic() - start


class Locked:
    """Runs a body under a collection's lock; NOT_FOUND when it was dropped meanwhile."""

    def __init__(self, registry, name):
        self.c = registry.get(name)

    def __enter__(self):
        self.c.lock.acquire()
        if self.c.dropped:
            self.c.lock.release()
            raise not_found_collection(self.c.name)
        return self.c

    def __exit__(self, *exc):
        self.c.lock.release()
        return False


class QdrantService(qd_grpc.QdrantServicer):
    def HealthCheck(self, request, context):
        return qd.HealthCheckReply(title=TITLE, version=API_VERSION)


class CollectionsService(col_grpc.CollectionsServicer):
    def __init__(self, registry):
        self.reg = registry

    @rpc
    def Create(self, req, start):
        self.reg.create(req)
        return col.CollectionOperationResponse(result=True, time=elapsed(start))

    @rpc
    def Delete(self, req, start):
        return col.CollectionOperationResponse(result=self.reg.delete(req.collection_name), time=elapsed(start))

    @rpc
    def List(self, req, start):
        return col.ListCollectionsResponse(
            collections=[col.CollectionDescription(name=n) for n in self.reg.names()], time=elapsed(start))

    @rpc
    def CollectionExists(self, req, start):
        with self.reg.lock:
            exists = req.collection_name in self.reg.collections
        return col.CollectionExistsResponse(result=col.CollectionExists(exists=exists), time=elapsed(start))

    @rpc
    def Get(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            info = c.shard.info()
            create = c.create
            out = col.CollectionInfo(status=col.CollectionStatus.Green,
                                     optimizer_status=col.OptimizerStatus(ok=True),
                                     segments_count=info.segments_count,
                                     points_count=info.points_count,
                                     indexed_vectors_count=info.indexed_vectors_count)
            cfg = out.config
            cfg.params.shard_number = create.shard_number if create.HasField("shard_number") else 1
            cfg.params.on_disk_payload = create.on_disk_payload if create.HasField("on_disk_payload") else True
            cfg.params.vectors_config.CopyFrom(create.vectors_config)
            cfg.params.replication_factor = 1
            cfg.params.write_consistency_factor = 1
            h = hnsw_merge(create.hnsw_config if create.HasField("hnsw_config") else None)
            for k in ("m", "ef_construct", "full_scan_threshold", "max_indexing_threads", "on_disk"):
                setattr(cfg.hnsw_config, k, h[k])
            for k, v in optimizers_merge(create).items():
                setattr(cfg.optimizer_config, k, v)
            for k, v in DEFAULT_WAL.items():
                setattr(cfg.wal_config, k, v)
            for k, v in create.metadata.items():
                cfg.metadata[k].CopyFrom(v)
            for field, idx in info.payload_schema.items():
                schema_info(out.payload_schema[field], idx)
            return col.GetCollectionInfoResponse(result=out, time=elapsed(start))


def update_result(c, wait, start):
    # The engine applies the operation synchronously, so wait=true is honoured trivially; the status is
    # what Qdrant reports: Completed when the client waited, Acknowledged otherwise.
    status = pts.UpdateStatus.Completed if wait else pts.UpdateStatus.Acknowledged
    c.dirty = True
    if OPTIMIZE_SYNC:
        optimize(c)
    return pts.PointsOperationResponse(result=pts.UpdateResult(operation_id=c.next_op(), status=status),
                                       time=elapsed(start))


# Payload indexes: gRPC FieldType / PayloadIndexParams <-> the engine's schema (lib/api conversions.rs).
FIELD_TYPES = {
    pts.FieldType.FieldTypeKeyword: qe.PayloadSchemaType.Keyword,
    pts.FieldType.FieldTypeInteger: qe.PayloadSchemaType.Integer,
    pts.FieldType.FieldTypeFloat: qe.PayloadSchemaType.Float,
    pts.FieldType.FieldTypeGeo: qe.PayloadSchemaType.Geo,
    pts.FieldType.FieldTypeText: qe.PayloadSchemaType.Text,
    pts.FieldType.FieldTypeBool: qe.PayloadSchemaType.Bool,
    pts.FieldType.FieldTypeDatetime: qe.PayloadSchemaType.Datetime,
    pts.FieldType.FieldTypeUuid: qe.PayloadSchemaType.Uuid,
}
SCHEMA_TYPES = {
    "Keyword": col.PayloadSchemaType.Keyword, "Integer": col.PayloadSchemaType.Integer,
    "Float": col.PayloadSchemaType.Float, "Geo": col.PayloadSchemaType.Geo, "Text": col.PayloadSchemaType.Text,
    "Bool": col.PayloadSchemaType.Bool, "Datetime": col.PayloadSchemaType.Datetime,
    "Uuid": col.PayloadSchemaType.Uuid,
}


def index_schema(req):
    """The engine schema of a CreateFieldIndexCollection: typed params where given (only the options the
    Quiver adapter and common clients send: keyword is_tenant/on_disk, integer lookup/range/is_principal,
    float is_principal/on_disk), else the bare type."""
    if not req.HasField("field_type"):
        raise bad_input("field_type is required to create a payload index")  # Qdrant infers it; the shim does not
    kind = FIELD_TYPES.get(req.field_type)
    if kind is None:
        raise bad_input("unknown field type %d" % req.field_type)
    if not req.HasField("field_index_params"):
        return kind
    p = req.field_index_params
    which = p.WhichOneof("index_params")
    if which == "keyword_index_params" and req.field_type == pts.FieldType.FieldTypeKeyword:
        k = p.keyword_index_params
        return qe.KeywordIndexParams(is_tenant=opt(k, "is_tenant"), on_disk=opt(k, "on_disk"))
    if which == "integer_index_params" and req.field_type == pts.FieldType.FieldTypeInteger:
        k = p.integer_index_params
        return qe.IntegerIndexParams(lookup=opt(k, "lookup"), range=opt(k, "range"),
                                     is_principal=opt(k, "is_principal"), on_disk=opt(k, "on_disk"))
    if which == "float_index_params" and req.field_type == pts.FieldType.FieldTypeFloat:
        k = p.float_index_params
        return qe.FloatIndexParams(is_principal=opt(k, "is_principal"), on_disk=opt(k, "on_disk"))
    if which == "bool_index_params" and req.field_type == pts.FieldType.FieldTypeBool:
        return kind
    if which is None:
        return kind
    if which.split("_")[0] != pts.FieldType.Name(req.field_type)[len("FieldType"):].lower():
        raise bad_input("index params %s do not match field type %s" % (which, pts.FieldType.Name(req.field_type)))
    raise unimplemented("payload index params %s" % which)


def schema_info(out, idx):
    """PayloadSchemaInfo of one engine index (data type, the params the shim can express, point count)."""
    out.data_type = SCHEMA_TYPES.get(str(idx.data_type).rsplit(".", 1)[-1], col.PayloadSchemaType.UnknownType)
    out.points = idx.points
    params = idx.params
    if isinstance(params, qe.KeywordIndexParams):
        k = out.params.keyword_index_params
        k.SetInParent()
        if params.is_tenant is not None:
            k.is_tenant = params.is_tenant
        if params.on_disk is not None:
            k.on_disk = params.on_disk
    elif isinstance(params, qe.IntegerIndexParams):
        k = out.params.integer_index_params
        k.SetInParent()
        for f in ("lookup", "range", "is_principal", "on_disk"):
            if getattr(params, f) is not None:
                setattr(k, f, getattr(params, f))
    elif isinstance(params, qe.FloatIndexParams):
        k = out.params.float_index_params
        k.SetInParent()
        for f in ("is_principal", "on_disk"):
            if getattr(params, f) is not None:
                setattr(k, f, getattr(params, f))


def selector_ids(sel):
    return [point_id_to_py(p) for p in sel.points.ids]


class PointsService(pts_grpc.PointsServicer):
    def __init__(self, registry):
        self.reg = registry

    # ---------------------------------------------------------------- writes

    @rpc
    def Upsert(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            points = []
            for p in req.points:
                points.append(qe.Point(point_id_to_py(p.id),
                                       vectors_to_edge(p.vectors if p.HasField("vectors") else None, c),
                                       payload_to_py(p.payload)))
            kw = {}
            if req.HasField("update_filter"):
                kw["condition"] = filter_to_edge(req.update_filter)
            if req.HasField("update_mode"):
                mode = pts.UpdateMode.Name(req.update_mode)
                kw["update_mode"] = getattr(qe.UpdateMode, mode)
            c.shard.update(qe.UpdateOperation.upsert_points(points, **kw))
            return update_result(c, req.wait, start)

    @rpc
    def Delete(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            which = req.points.WhichOneof("points_selector_one_of")
            if which == "points":
                c.shard.update(qe.UpdateOperation.delete_points(selector_ids(req.points)))
            elif which == "filter":
                c.shard.update(qe.UpdateOperation.delete_points_by_filter(filter_to_edge(req.points.filter)))
            else:
                raise bad_input("points selector is empty")
            return update_result(c, req.wait, start)

    def _payload_op(self, req, start, by_ids, by_filter):
        with Locked(self.reg, req.collection_name) as c:
            payload = payload_to_py(req.payload)
            key = req.key if req.HasField("key") else None
            sel = req.points_selector
            which = sel.WhichOneof("points_selector_one_of") if req.HasField("points_selector") else None
            if which == "points":
                c.shard.update(by_ids(selector_ids(sel), payload, key=key))
            elif which == "filter":
                c.shard.update(by_filter(filter_to_edge(sel.filter), payload, key=key))
            else:
                raise validation("points_selector", "must be set")
            return update_result(c, req.wait, start)

    @rpc
    def SetPayload(self, req, start):
        return self._payload_op(req, start, qe.UpdateOperation.set_payload, qe.UpdateOperation.set_payload_by_filter)

    @rpc
    def OverwritePayload(self, req, start):
        return self._payload_op(req, start, qe.UpdateOperation.overwrite_payload,
                                qe.UpdateOperation.overwrite_payload_by_filter)

    @rpc
    def DeletePayload(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            sel = req.points_selector
            which = sel.WhichOneof("points_selector_one_of") if req.HasField("points_selector") else None
            if which == "points":
                c.shard.update(qe.UpdateOperation.delete_payload(selector_ids(sel), list(req.keys)))
            elif which == "filter":
                c.shard.update(qe.UpdateOperation.delete_payload_by_filter(filter_to_edge(sel.filter), list(req.keys)))
            else:
                raise validation("points_selector", "must be set")
            return update_result(c, req.wait, start)

    @rpc
    def ClearPayload(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            sel = req.points
            which = sel.WhichOneof("points_selector_one_of")
            if which == "points":
                c.shard.update(qe.UpdateOperation.clear_payload(selector_ids(sel)))
            elif which == "filter":
                c.shard.update(qe.UpdateOperation.clear_payload_by_filter(filter_to_edge(sel.filter)))
            else:
                raise bad_input("points selector is empty")
            return update_result(c, req.wait, start)

    @rpc
    def CreateFieldIndex(self, req, start):
        schema = index_schema(req)
        with Locked(self.reg, req.collection_name) as c:
            c.shard.update(qe.UpdateOperation.create_field_index(req.field_name, schema))
            return update_result(c, req.wait, start)

    @rpc
    def DeleteFieldIndex(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            c.shard.update(qe.UpdateOperation.delete_field_index(req.field_name))
            return update_result(c, req.wait, start)

    @rpc
    def UpdateVectors(self, req, start):
        if req.HasField("update_filter"):
            raise unimplemented("UpdateVectors with update_filter")
        with Locked(self.reg, req.collection_name) as c:
            points = [qe.PointVectors(point_id_to_py(p.id), vectors_to_edge(p.vectors, c)) for p in req.points]
            c.shard.update(qe.UpdateOperation.update_vectors(points))
            return update_result(c, req.wait, start)

    # ---------------------------------------------------------------- reads

    @rpc
    def Get(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            ids = [point_id_to_py(p) for p in req.ids]
            out = pts.GetResponse()
            if ids:
                # gRPC GetPoints: with_payload unset -> false (collection/point_ops.rs retrieve)
                recs = c.shard.retrieve(ids,
                                        with_payload_to_edge(req.with_payload if req.HasField("with_payload") else None,
                                                             False),
                                        with_vectors_to_edge(
                                            req.with_vectors if req.HasField("with_vectors") else None))
                # Qdrant's collection layer answers in the requested order, each point once
                found = {r.id: r for r in recs}
                for i in ids:
                    r = found.pop(i, None)
                    if r is not None:
                        fill_point(out.result.add(), r, c)
            out.time = elapsed(start)
            return out

    @rpc
    def Count(self, req, start):
        with Locked(self.reg, req.collection_name) as c:
            exact = req.exact if req.HasField("exact") else True  # CountRequestInternal::default_exact()
            n = c.shard.count(qe.CountRequest(exact=exact, filter=opt_filter(req)))
            return pts.CountResponse(result=pts.CountResult(count=n), time=elapsed(start))

    @rpc
    def Scroll(self, req, start):
        if req.HasField("limit") and req.limit < 1:
            raise validation("limit", "value %d invalid, must be 1 or larger" % req.limit)
        if req.HasField("order_by"):
            raise unimplemented("Scroll with order_by")
        with Locked(self.reg, req.collection_name) as c:
            recs, nxt = c.shard.scroll(qe.ScrollRequest(
                offset=point_id_to_py(req.offset) if req.HasField("offset") else None,
                limit=req.limit if req.HasField("limit") else 10,
                filter=opt_filter(req),
                with_payload=with_payload_to_edge(req.with_payload if req.HasField("with_payload") else None, True),
                with_vector=with_vectors_to_edge(req.with_vectors if req.HasField("with_vectors") else None)))
            out = pts.ScrollResponse(time=elapsed(start))
            for r in recs:
                fill_point(out.result.add(), r, c)
            if nxt is not None:
                out.next_page_offset.CopyFrom(py_to_point_id(nxt))
            return out

    @rpc
    def Facet(self, req, start):
        if req.HasField("limit") and req.limit < 1:
            raise validation("limit", "value %d invalid, must be 1 or larger" % req.limit)
        with Locked(self.reg, req.collection_name) as c:
            res = c.shard.facet(qe.FacetRequest(req.key, limit=req.limit if req.HasField("limit") else 10,
                                                exact=req.exact if req.HasField("exact") else False,
                                                filter=opt_filter(req)))
            out = pts.FacetResponse(time=elapsed(start))
            for h in res.hits:
                hit = out.hits.add()
                hit.count = h.count
                v = h.value
                if isinstance(v, bool):
                    hit.value.bool_value = v
                elif isinstance(v, int):
                    hit.value.integer_value = v
                else:
                    hit.value.string_value = str(v)
            return out

    def _scored(self, c, hits, out, start):
        for h in hits:
            sp = out.result.add()
            fill_point(sp, h, c)
            sp.score = h.score
            sp.version = h.version
        out.time = elapsed(start)
        return out

    @staticmethod
    def _params(req):
        if not req.HasField("params"):
            return None
        p = req.params
        if p.HasField("quantization") or p.HasField("acorn"):
            raise unimplemented("quantization/acorn search params")
        return qe.SearchParams(hnsw_ef=p.hnsw_ef if p.HasField("hnsw_ef") else None,
                               exact=p.exact if p.HasField("exact") else False,
                               indexed_only=p.indexed_only if p.HasField("indexed_only") else False)

    @rpc
    def Query(self, req, start):
        if req.HasField("limit") and req.limit < 1:
            raise validation("limit", "value %d invalid, must be 1 or larger" % req.limit)
        if len(req.prefetch) or req.HasField("lookup_from"):
            raise unimplemented("Query with prefetch/lookup_from")
        with Locked(self.reg, req.collection_name) as c:
            query = None
            if req.HasField("query"):
                which = req.query.WhichOneof("variant")
                if which != "nearest":
                    raise unimplemented("Query variant %s" % which)
                vi = req.query.nearest
                if vi.WhichOneof("variant") != "dense":
                    raise unimplemented("nearest by %s" % vi.WhichOneof("variant"))
                using = req.using if req.HasField("using") else ""
                query = qe.Query.Nearest([float(x) for x in vi.dense.data], using=using)
            hits = c.shard.query(qe.QueryRequest(
                limit=req.limit if req.HasField("limit") else 10,
                offset=req.offset if req.HasField("offset") else None,
                query=query,
                filter=opt_filter(req),
                score_threshold=req.score_threshold if req.HasField("score_threshold") else None,
                params=self._params(req),
                with_payload=with_payload_to_edge(req.with_payload if req.HasField("with_payload") else None, False),
                with_vector=with_vectors_to_edge(req.with_vectors if req.HasField("with_vectors") else None)))
            return self._scored(c, hits, pts.QueryResponse(), start)

    @rpc
    def Search(self, req, start):
        if req.limit < 1:
            raise validation("limit", "value %d invalid, must be 1 or larger" % req.limit)
        if req.HasField("sparse_indices"):
            raise unimplemented("sparse search")
        with Locked(self.reg, req.collection_name) as c:
            using = req.vector_name if req.HasField("vector_name") else ""
            hits = c.shard.search(qe.SearchRequest(
                query=qe.Query.Nearest([float(x) for x in req.vector], using=using),
                limit=req.limit,
                offset=req.offset if req.HasField("offset") else None,
                filter=opt_filter(req),
                params=self._params(req),
                score_threshold=req.score_threshold if req.HasField("score_threshold") else None,
                with_payload=with_payload_to_edge(req.with_payload if req.HasField("with_payload") else None, False),
                with_vector=with_vectors_to_edge(req.with_vectors if req.HasField("with_vectors") else None)))
            return self._scored(c, hits, pts.SearchResponse(), start)


# --------------------------------------------------------------------------- main

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=6334)
    ap.add_argument("--data-dir", default=None, help="where the shards live (default: a new temp dir)")
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--log-level", default="INFO")
    ap.add_argument("--optimize-interval", type=float, default=1.0,
                    help="seconds between background optimizer runs on written collections (0: never)")
    ap.add_argument("--indexing-threshold-kb", type=int, default=None,
                    help="override Qdrant's default indexing_threshold (10000 KB) for new collections")
    ap.add_argument("--optimize-sync", action="store_true",
                    help="also run the optimizers before answering each write, so every search already sees the "
                         "optimized segments (HNSW graphs with a small --indexing-threshold-kb); a legitimate but "
                         "extreme state of a real server, whose optimizers run in the background")
    args = ap.parse_args(argv)
    global INDEXING_THRESHOLD_OVERRIDE, OPTIMIZE_SYNC
    INDEXING_THRESHOLD_OVERRIDE = args.indexing_threshold_kb
    OPTIMIZE_SYNC = args.optimize_sync
    logging.basicConfig(level=args.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="qdrant-edge-data.")
    registry = Registry(data_dir)
    # no request size limit: Qdrant's tonic services use max_decoding_message_size(usize::MAX)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.workers),
                         options=[("grpc.max_receive_message_length", -1),
                                  ("grpc.max_send_message_length", -1)])
    qd_grpc.add_QdrantServicer_to_server(QdrantService(), server)
    col_grpc.add_CollectionsServicer_to_server(CollectionsService(registry), server)
    pts_grpc.add_PointsServicer_to_server(PointsService(registry), server)
    port = server.add_insecure_port("%s:%d" % (args.host, args.port))
    if port == 0:
        LOG.error("cannot bind %s:%d", args.host, args.port)
        return 1
    server.start()
    LOG.info("%s listening on %s:%d, data in %s", TITLE, args.host, port, data_dir)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    if args.optimize_interval > 0:
        def optimizer_loop():
            while not stop.wait(args.optimize_interval):
                registry.optimize_dirty()
        threading.Thread(target=optimizer_loop, name="optimizer", daemon=True).start()
    stop.wait()
    LOG.info("stopping")
    server.stop(grace=2).wait()
    registry.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
