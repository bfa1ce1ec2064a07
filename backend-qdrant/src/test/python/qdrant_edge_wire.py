"""Qdrant's wire on qdrant-edge, for qdrant_edge_server.py: Qdrant's gRPC status codes and error texts,
and the translation of protobuf values, ids, filters, selectors and vectors to the engine's Python
types and back (each rule names the Qdrant source it follows)."""

import math
import re
import time
import uuid

import grpc
import numpy as np
import qdrant_edge as qe
from qdrant_client.grpc import json_with_int_pb2 as jwi
from qdrant_client.grpc import points_pb2 as pts
from qdrant_client.grpc import qdrant_common_pb2 as cmn

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
