"""The collections layer of qdrant_edge_server.py (qdrant-edge has none): the name registry, each
collection's config (its create request, as UpdateCollection changes it) saved beside its edge shard,
the engine config derived from it, optimizer scheduling, and Qdrant's defaults."""

import logging
import os
import shutil
import threading
import time

import grpc
import qdrant_edge as qe
from qdrant_client.grpc import collections_pb2 as col

from qdrant_edge_wire import RpcError, bad_input, engine_error, not_found_collection, unimplemented, validation

LOG = logging.getLogger("qdrant-edge-server")

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


# --full-scan-threshold-kb: the server's default full_scan_threshold (Qdrant's config.yaml
# storage.hnsw_index.full_scan_threshold_kb, 10000): below it, in KB of vectors, a segment is searched by a
# scan even where it has a graph; set it low to make small collections search through their graphs
FULL_SCAN_THRESHOLD_OVERRIDE = None


def hnsw_merge(*diffs):
    out = dict(DEFAULT_HNSW)
    if FULL_SCAN_THRESHOLD_OVERRIDE is not None:
        out["full_scan_threshold"] = FULL_SCAN_THRESHOLD_OVERRIDE
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
            # the collection config (create.pb, updated by UpdateCollection) is the truth, as Qdrant's
            # config.json is: the shard's index parameters follow it even if a crash came between the two
            shard = qe.EdgeShard.load(os.path.join(path, "shard"), edge_config(create))
            c = Collection(create.collection_name, path, create, shard)
            c.dirty = True  # Qdrant starts a loaded shard's optimizers, which rebuild what the config changed
            self.collections[create.collection_name] = c
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
            save_config(path, req)
            self.collections[name] = Collection(name, path, req, shard)
            return True

    def update(self, req):
        """UpdateCollection as toc/collection_meta_ops.rs update_collection does it: first the HNSW config
        (the collection's, then each vector's), saved; then the metadata merged (each top-level key
        replaced, a null value removing its key; Payload::merge), saved; then the optimizers restarted,
        which rebuild in the background every segment whose index no longer matches the config. Each step
        is saved before the next, in Qdrant's order, so a crash between them leaves the new index config
        with the old metadata. The engine takes new index parameters on a reload of the shard
        (EdgeShard.load with a config overwrites it; its optimizers then rebuild the mismatching
        segments), done under the collection's lock, so requests wait for it and none fails."""
        others = [f for f in ("optimizers_config", "params", "quantization_config", "sparse_vectors_config",
                              "strict_mode_config") if req.HasField(f)]
        if others:
            raise unimplemented("UpdateCollection with " + ", ".join(others))
        with Locked(self, req.collection_name) as c:
            new = col.CreateCollection()
            new.CopyFrom(c.create)
            if req.HasField("hnsw_config"):
                check_hnsw(req.hnsw_config, "hnsw_config")
                new.hnsw_config.MergeFrom(req.hnsw_config)
            if req.HasField("vectors_config"):
                merge_vectors_diff(new, req.vectors_config)
            if new != c.create:
                config = edge_config(new)
                self._reload(c, config, edge_config(c.create))
                save_config(c.path, new)
                c.create = new
            if len(req.metadata):
                merged = col.CreateCollection()
                merged.CopyFrom(c.create)
                for k, v in req.metadata.items():
                    if v.WhichOneof("kind") == "null_value":
                        if k in merged.metadata:
                            del merged.metadata[k]
                    else:
                        merged.metadata[k].CopyFrom(v)
                save_config(c.path, merged)
                c.create = merged
            c.dirty = True
            if OPTIMIZE_SYNC:
                optimize(c)
        return True

    @staticmethod
    def _reload(c, config, old):
        """Closes the shard and opens it again with a new config; on failure, with the old one."""
        path = os.path.join(c.path, "shard")
        c.shard.flush()
        c.shard.close()
        try:
            c.shard = qe.EdgeShard.load(path, config)
        except Exception as e:
            c.shard = qe.EdgeShard.load(path, old)
            raise engine_error(e)

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


def save_config(path, create):
    """Writes a collection's config (its create request, as updated) atomically."""
    with open(os.path.join(path, "create.pb.tmp"), "wb") as f:
        f.write(create.SerializeToString())
        f.flush()
        os.fsync(f.fileno())
    os.replace(os.path.join(path, "create.pb.tmp"), os.path.join(path, "create.pb"))


def check_hnsw(h, field):
    # HnswConfigDiff validation (lib/api/src/grpc/validate.rs): ef_construct >= 4, full_scan_threshold >= 10
    if h.HasField("ef_construct") and h.ef_construct < 4:
        raise validation(field + ".ef_construct", "value %d invalid, must be 4 or larger" % h.ef_construct)
    if h.HasField("full_scan_threshold") and h.full_scan_threshold < 10:
        raise validation(field + ".full_scan_threshold", "value %d invalid, must be 10 or larger" % h.full_scan_threshold)


def merge_vectors_diff(create, diff):
    """Applies a VectorsConfigDiff's HNSW part to the stored vector params (config.rs
    update_vectors_from_diff: a vector's hnsw_config is updated by the diff, or set to it)."""
    which = diff.WhichOneof("config")
    items = [("", diff.params)] if which == "params" else list(diff.params_map.map.items()) if which == "params_map" else []
    single = create.vectors_config.WhichOneof("config") == "params"
    for name, d in items:
        if d.HasField("quantization_config") or d.HasField("on_disk"):
            raise unimplemented("vectors_config diffs other than hnsw_config")
        if single and name == "":
            target = create.vectors_config.params
        elif not single and name in create.vectors_config.params_map.map:
            target = create.vectors_config.params_map.map[name]
        else:
            raise bad_input("Not existing vector name error: %s" % name)
        if d.HasField("hnsw_config"):
            if d.hnsw_config.ByteSize() == 0:
                target.ClearField("hnsw_config")  # "If empty object - it will be unset" (collections.proto)
                continue
            check_hnsw(d.hnsw_config, "vectors_config.hnsw_config")
            target.hnsw_config.MergeFrom(d.hnsw_config)


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
