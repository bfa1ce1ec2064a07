#!/usr/bin/env python3
"""Wire-level smoke test of qdrant_edge_server.py: raw gRPC requests (the stubs of qdrant-client),
checked against what Qdrant 1.18 answers (codes, message texts, response shapes; see
docs/backends/qdrant.md). Usage: smoke_qdrant_edge_server.py 127.0.0.1:PORT  (exit 0 = all passed)
"""

import sys
import uuid

import grpc
from qdrant_client.grpc import collections_pb2 as col
from qdrant_client.grpc import collections_service_pb2_grpc as col_grpc
from qdrant_client.grpc import json_with_int_pb2 as jwi
from qdrant_client.grpc import points_pb2 as pts
from qdrant_client.grpc import points_service_pb2_grpc as pts_grpc
from qdrant_client.grpc import qdrant_common_pb2 as cmn
from qdrant_client.grpc import qdrant_pb2 as qd
from qdrant_client.grpc import qdrant_pb2_grpc as qd_grpc

FAILED = []


def check(what, cond, detail=""):
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else "  -- " + str(detail)))
    if not cond:
        FAILED.append(what)


def expect_error(what, fn, code, text):
    try:
        fn()
        check(what, False, "no error")
    except grpc.RpcError as e:
        check(what, e.code() == code and e.details() == text, "%s %r" % (e.code(), e.details()))


def V(x):
    v = jwi.Value()
    if isinstance(x, bool):
        v.bool_value = x
    elif isinstance(x, int):
        v.integer_value = x
    elif isinstance(x, float):
        v.double_value = x
    elif isinstance(x, str):
        v.string_value = x
    elif x is None:
        v.null_value = jwi.NullValue.NULL_VALUE
    elif isinstance(x, list):
        v.list_value.SetInParent()
        v.list_value.values.extend(V(y) for y in x)
    elif isinstance(x, dict):
        v.struct_value.SetInParent()
        for k, y in x.items():
            v.struct_value.fields[k].CopyFrom(V(y))
    return v


def point(pid, vec, payload):
    p = pts.PointStruct(id=cmn.PointId(num=pid) if isinstance(pid, int) else cmn.PointId(uuid=pid))
    p.vectors.vectors.vectors["v"].dense.data.extend(vec)
    for k, x in payload.items():
        p.payload[k].CopyFrom(V(x))
    return p


def main(addr):
    ch = grpc.insecure_channel(addr)
    q = qd_grpc.QdrantStub(ch)
    c = col_grpc.CollectionsStub(ch)
    p = pts_grpc.PointsStub(ch)
    name = "smoke_" + uuid.uuid4().hex[:8]

    check("health check answers", q.HealthCheck(qd.HealthCheckRequest()).version != "")

    create = col.CreateCollection(collection_name=name)
    create.vectors_config.params_map.map["v"].CopyFrom(col.VectorParams(size=2, distance=col.Distance.Cosine))
    create.metadata["quiver"].CopyFrom(V({"format": 1, "metric": "COSINE", "x": 1.0}))
    check("create", c.Create(create).result)
    expect_error("create twice: ALREADY_EXISTS", lambda: c.Create(create), grpc.StatusCode.ALREADY_EXISTS,
                 "Wrong input: Collection `%s` already exists!" % name)
    expect_error("create with empty name: validation", lambda: c.Create(col.CreateCollection(collection_name="")),
                 grpc.StatusCode.INVALID_ARGUMENT,
                 'Validation error in body: [collection_name: value "" invalid, must be from 1 to 255 characters]')
    check("exists", c.CollectionExists(col.CollectionExistsRequest(collection_name=name)).result.exists)
    check("not exists", not c.CollectionExists(col.CollectionExistsRequest(collection_name=name + "x")).result.exists)
    check("listed", name in [d.name for d in c.List(col.ListCollectionsRequest()).collections])
    info = c.Get(col.GetCollectionInfoRequest(collection_name=name)).result
    meta = info.config.metadata["quiver"].struct_value.fields
    check("metadata round trip (int stays int, 1.0 stays double)",
          meta["format"].WhichOneof("kind") == "integer_value" and meta["x"].WhichOneof("kind") == "double_value")
    check("vectors config echoed", info.config.params.vectors_config.params_map.map["v"].size == 2)
    expect_error("get missing collection: NOT_FOUND", lambda: c.Get(col.GetCollectionInfoRequest(collection_name="nope")),
                 grpc.StatusCode.NOT_FOUND, "Not found: Collection `nope` doesn't exist!")

    u = "cabcf898-23b3-37a8-a036-b70c2e50c0c6"
    big = 9007199254740993
    r = p.Upsert(pts.UpsertPoints(collection_name=name, wait=True, points=[
        point(1, [3.0, 4.0], {"b": True, "i": 1, "f": 1.0, "big": big, "s": "x", "n": None, "o": {"k": [1, "a"]}}),
        point(2, [1.0, 0.0], {"b": False, "i": 2}),
        point(u, [-1.0, 0.0], {"i": True})]))
    check("upsert wait=true -> Completed", r.result.status == pts.UpdateStatus.Completed)
    r = p.Upsert(pts.UpsertPoints(collection_name=name, points=[point(3, [0.0, 1.0], {})]))
    check("upsert without wait -> Acknowledged", r.result.status == pts.UpdateStatus.Acknowledged)
    expect_error("upsert wrong dimension", lambda: p.Upsert(pts.UpsertPoints(
        collection_name=name, wait=True, points=[point(9, [1.0, 2.0, 3.0], {})])),
        grpc.StatusCode.INVALID_ARGUMENT, "Wrong input: Vector dimension error: expected dim: 2, got 3")
    expect_error("bad uuid", lambda: p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(uuid="zz")])),
                 grpc.StatusCode.INVALID_ARGUMENT, "Unable to parse UUID: zz")

    got = p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(num=2), cmn.PointId(num=7), cmn.PointId(num=1),
                                                        cmn.PointId(num=2)])).result
    check("get: requested order, missing left out, duplicates once, no payload by default",
          [x.id.num for x in got] == [2, 1] and all(len(x.payload) == 0 for x in got), got)
    got = p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(num=1)],
                              with_payload=pts.WithPayloadSelector(enable=True),
                              with_vectors=pts.WithVectorsSelector(enable=True))).result
    check("get: payload when asked", len(got) == 1 and set(got[0].payload) == {"b", "i", "f", "big", "s", "n", "o"})
    pl = got[0].payload
    check("payload types kept", pl["big"].integer_value == big and pl["f"].WhichOneof("kind") == "double_value"
          and pl["n"].WhichOneof("kind") == "null_value" and pl["b"].bool_value is True
          and pl["o"].struct_value.fields["k"].list_value.values[1].string_value == "a")
    vo = got[0].vectors
    check("vectors: named output, dense oneof, deprecated data empty",
          vo.WhichOneof("vectors_options") == "vectors" and vo.vectors.vectors["v"].WhichOneof("vector") == "dense"
          and len(vo.vectors.vectors["v"].data) == 0)
    check("cosine vectors come back normalised (engine)",
          [round(x, 4) for x in vo.vectors.vectors["v"].dense.data] == [0.6, 0.8])
    got = p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(uuid=u.upper())])).result
    check("uuid returned canonical", len(got) == 1 and got[0].id.uuid == u and not got[0].HasField("vectors"))

    pages, off = [], None
    while True:
        req = pts.ScrollPoints(collection_name=name, limit=2, with_payload=pts.WithPayloadSelector(enable=False))
        if off is not None:
            req.offset.CopyFrom(off)
        resp = p.Scroll(req)
        pages.append([x.id.num if x.id.HasField("num") else x.id.uuid for x in resp.result])
        if not resp.HasField("next_page_offset"):
            break
        off = resp.next_page_offset
    check("scroll: id order (numbers, then uuids), next_page_offset", pages == [[1, 2], [3, u]], pages)
    expect_error("scroll limit 0: validation", lambda: p.Scroll(pts.ScrollPoints(collection_name=name, limit=0)),
                 grpc.StatusCode.INVALID_ARGUMENT, "Validation error in body: [limit: value 0 invalid, must be 1 or larger]")

    def count(cond):
        f = cmn.Filter(must=[cond])
        return p.Count(pts.CountPoints(collection_name=name, filter=f, exact=True)).result.count

    check("count all", p.Count(pts.CountPoints(collection_name=name)).result.count == 4)
    check("bool match true: bool only, not integer 1",
          count(cmn.Condition(field=cmn.FieldCondition(key="b", match=cmn.Match(boolean=True)))) == 1)
    check("bool match on a key holding true only where it is a bool",
          count(cmn.Condition(field=cmn.FieldCondition(key="i", match=cmn.Match(boolean=True)))) == 1)
    check("integer match 1 does not match true",
          count(cmn.Condition(field=cmn.FieldCondition(key="i", match=cmn.Match(integer=1)))) == 1)
    check("integer match exact beyond 2^53",
          count(cmn.Condition(field=cmn.FieldCondition(key="big", match=cmn.Match(integer=big)))) == 1)
    check("range on int and double", count(cmn.Condition(field=cmn.FieldCondition(key="f", range=cmn.Range(gte=1, lte=1)))) == 1)

    q_ = pts.QueryPoints(collection_name=name, using="v", limit=10, with_payload=pts.WithPayloadSelector(enable=False))
    q_.query.nearest.dense.data.extend([1.0, 0.0])
    res = p.Query(q_).result
    check("query: cosine scores, best first",
          [(x.id.num or x.id.uuid, round(x.score, 4)) for x in res] == [(2, 1.0), (1, 0.6), (3, 0.0), (u, -1.0)],
          [(x.id.num or x.id.uuid, x.score) for x in res])
    check("query: no payload unless asked", all(len(x.payload) == 0 for x in res))
    q_.score_threshold = 0.5
    check("query: score_threshold keeps score >= t", len(p.Query(q_).result) == 2)
    bad = pts.QueryPoints(collection_name=name, using="v", limit=1)
    bad.query.nearest.dense.data.extend([1.0, 0.0, 0.0])
    expect_error("query wrong dimension", lambda: p.Query(bad), grpc.StatusCode.INVALID_ARGUMENT,
                 "Wrong input: Vector dimension error: expected dim: 2, got 3")
    bad = pts.QueryPoints(collection_name=name, using="w", limit=1)
    bad.query.nearest.dense.data.extend([1.0, 0.0])
    expect_error("query unknown vector name", lambda: p.Query(bad), grpc.StatusCode.INVALID_ARGUMENT,
                 "Wrong input: Not existing vector name error: w")

    sel = pts.PointsSelector(points=pts.PointsIdsList(ids=[cmn.PointId(num=99)]))
    ow = pts.SetPayloadPoints(collection_name=name, wait=True, points_selector=sel)
    ow.payload["a"].CopyFrom(V(1))
    expect_error("overwrite payload of a missing point", lambda: p.OverwritePayload(ow), grpc.StatusCode.NOT_FOUND,
                 "Not found: No point with id 99 found")
    ow.points_selector.CopyFrom(pts.PointsSelector(points=pts.PointsIdsList(ids=[cmn.PointId(num=2)])))
    p.OverwritePayload(ow)
    got = p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(num=2)],
                              with_payload=pts.WithPayloadSelector(enable=True))).result[0]
    check("overwrite replaces the whole payload", set(got.payload) == {"a"})
    sp = pts.SetPayloadPoints(collection_name=name, wait=True, points_selector=ow.points_selector)
    sp.payload["z"].CopyFrom(V("q"))
    p.SetPayload(sp)
    got = p.Get(pts.GetPoints(collection_name=name, ids=[cmn.PointId(num=2)],
                              with_payload=pts.WithPayloadSelector(enable=True))).result[0]
    check("set payload merges", set(got.payload) == {"a", "z"})

    p.Delete(pts.DeletePoints(collection_name=name, wait=True, points=pts.PointsSelector(
        filter=cmn.Filter(must=[cmn.Condition(has_id=cmn.HasIdCondition(has_id=[cmn.PointId(num=3)]))]))))
    check("delete by filter", p.Count(pts.CountPoints(collection_name=name)).result.count == 3)

    # payload indexes, payload_schema and facet (the engine's own create_field_index / facet)
    p.CreateFieldIndex(pts.CreateFieldIndexCollection(
        collection_name=name, wait=True, field_name="t", field_type=pts.FieldType.FieldTypeKeyword,
        field_index_params=col.PayloadIndexParams(keyword_index_params=col.KeywordIndexParams(is_tenant=True))))
    p.CreateFieldIndex(pts.CreateFieldIndexCollection(collection_name=name, wait=True, field_name="a",
                                                      field_type=pts.FieldType.FieldTypeInteger))
    schema = c.Get(col.GetCollectionInfoRequest(collection_name=name)).result.payload_schema
    check("payload_schema lists the indexes", schema["t"].data_type == col.PayloadSchemaType.Keyword
          and schema["t"].params.keyword_index_params.is_tenant and schema["a"].data_type == col.PayloadSchemaType.Integer,
          schema)
    for i, t in ((10, "x"), (11, "x"), (12, "y")):
        up = pts.UpsertPoints(collection_name=name, wait=True, points=[point(i, [1.0, 0.0], {"t": t})])
        p.Upsert(up)
    hits = p.Facet(pts.FacetCounts(collection_name=name, key="t", exact=True, limit=10)).hits
    check("facet counts the tenant values", {(h.value.string_value, h.count) for h in hits} == {("x", 2), ("y", 1)}, hits)
    p.DeleteFieldIndex(pts.DeleteFieldIndexCollection(collection_name=name, wait=True, field_name="a"))
    check("delete index", "a" not in c.Get(col.GetCollectionInfoRequest(collection_name=name)).result.payload_schema)
    p.Delete(pts.DeletePoints(collection_name=name, wait=True, points=pts.PointsSelector(
        points=pts.PointsIdsList(ids=[cmn.PointId(num=i) for i in (10, 11, 12)]))))

    check("drop", c.Delete(col.DeleteCollection(collection_name=name)).result)
    check("drop again: result false, no error", not c.Delete(col.DeleteCollection(collection_name=name)).result)
    expect_error("upsert into dropped collection", lambda: p.Upsert(pts.UpsertPoints(
        collection_name=name, wait=True, points=[point(1, [1.0, 0.0], {})])),
        grpc.StatusCode.NOT_FOUND, "Not found: Collection `%s` doesn't exist!" % name)

    if FAILED:
        print("FAILED: " + ", ".join(FAILED))
        return 1
    print("all smoke checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:6334"))
