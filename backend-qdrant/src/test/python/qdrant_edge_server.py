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
exists/delete, the stored create request incl. collection metadata, updates of
its HNSW parameters and metadata (UpdateCollection), the ``CollectionInfo``
answer), the gRPC request/response translation, request
validation, Qdrant's gRPC status codes and message texts, and the
``wait``/``UpdateResult`` bookkeeping, the request defaults and the order of
Get answers, and it triggers the engine's optimizers; the engine provides
everything about points (upsert/delete/payload updates, retrieve, scroll order
and ``next_page_offset``, exact count, filters, search and scores, HNSW, and
the rebuild of HNSW graphs after their parameters change).

Only the RPCs the Quiver adapter uses (plus a few neighbours that cost nothing)
are implemented; every other RPC answers UNIMPLEMENTED, like grpc's default
servicer, so a new adapter call cannot silently pass.

Three files: this one (the gRPC services and main), qdrant_edge_wire.py (status
codes, error texts, protobuf <-> engine translation) and
qdrant_edge_collections.py (the collections layer, collection configs and their
updates, optimizer scheduling).

Run:  python qdrant_edge_server.py --port 6334 --data-dir /tmp/qd
"""

import argparse
import logging
import signal
import sys
import tempfile
import threading
import time
from concurrent import futures

import grpc
import qdrant_edge as qe
from qdrant_client.grpc import collections_pb2 as col
from qdrant_client.grpc import collections_service_pb2_grpc as col_grpc
from qdrant_client.grpc import points_pb2 as pts
from qdrant_client.grpc import points_service_pb2_grpc as pts_grpc
from qdrant_client.grpc import qdrant_pb2 as qd
from qdrant_client.grpc import qdrant_pb2_grpc as qd_grpc

import qdrant_edge_collections as colls
from qdrant_edge_collections import DEFAULT_WAL, Locked, Registry, hnsw_merge, optimize, optimizers_merge
from qdrant_edge_wire import *  # noqa: F401,F403 - the wire translation, used throughout the handlers

LOG = logging.getLogger("qdrant-edge-server")

# The gRPC API version the stubs implement (qdrant-client 1.18.x = Qdrant 1.18 protos).
API_VERSION = "1.18.0"
EDGE_VERSION = "0.9.0"
TITLE = "qdrant - vector search engine (quiver test shim over qdrant-edge-py %s)" % EDGE_VERSION


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
    def Update(self, req, start):
        return col.CollectionOperationResponse(result=self.reg.update(req), time=elapsed(start))

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
    if colls.OPTIMIZE_SYNC:
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
    ap.add_argument("--full-scan-threshold-kb", type=int, default=None,
                    help="override Qdrant's default full_scan_threshold (10000 KB): segments with fewer KB of vectors"
                         " are searched by a scan even where they have an HNSW graph")
    ap.add_argument("--optimize-sync", action="store_true",
                    help="also run the optimizers before answering each write, so every search already sees the "
                         "optimized segments (HNSW graphs with a small --indexing-threshold-kb); a legitimate but "
                         "extreme state of a real server, whose optimizers run in the background")
    args = ap.parse_args(argv)
    colls.INDEXING_THRESHOLD_OVERRIDE = args.indexing_threshold_kb
    colls.FULL_SCAN_THRESHOLD_OVERRIDE = args.full_scan_threshold_kb
    colls.OPTIMIZE_SYNC = args.optimize_sync
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
