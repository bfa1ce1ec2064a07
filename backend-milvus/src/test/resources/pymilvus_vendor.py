"""The vendor's side of the foreign-collection kit: pymilvus creates, fills and reads collections in the
layouts found in the wild, and answers one JSON request per line on stdin with one JSON line on stdout.

    python pymilvus_vendor.py http://127.0.0.1:19530
    {"op": "create", "name": "c", "layout": "quickstart", "records": [{"id": "1000", "vector": [...], "metadata": {...}}]}
    {"op": "count" | "ids" | "drop", "name": "c"}
    {"op": "get", "name": "c", "id": "1000"}
    {"op": "search", "name": "c", "vector": [...], "k": 10, "category": "c" | null}

Layouts (field names and types as each framework creates them; see docs/backends/milvus.md):
  quickstart  MilvusClient.create_collection(name, dimension, metric_type="COSINE"): INT64 "id", "vector",
              dynamic field on (AUTOINDEX); the metadata keys are dynamic keys
  typed       INT64 "pk", FLOAT_VECTOR "embedding" (HNSW), category VARCHAR(64), year INT32, rating FLOAT,
              published BOOL, tags ARRAY<VARCHAR>; dynamic field off
  langchain4j LangChain4j MilvusEmbeddingStore: VARCHAR(36) "id", VARCHAR(65535) "text", JSON "metadata",
              FLOAT_VECTOR "vector" (FLAT, COSINE)
  springai    Spring AI MilvusVectorStore: VARCHAR(36) "doc_id", VARCHAR(65535) "content", JSON "metadata",
              FLOAT_VECTOR "embedding" (IVF_FLAT nlist 1024, COSINE), 2 shards
Every answer is {"ok": value} or {"error": "..."}.
"""
import json
import sys

from pymilvus import DataType, MilvusClient

STRONG = "Strong"


class Vendor:
    def __init__(self, uri):
        self.client = MilvusClient(uri=uri)
        self.layouts = {}

    def _pk(self, name):
        return {"quickstart": "id", "typed": "pk", "langchain4j": "id", "springai": "doc_id"}[self.layouts[name]]

    def _vec(self, name):
        return {"quickstart": "vector", "typed": "embedding", "langchain4j": "vector", "springai": "embedding"}[self.layouts[name]]

    def _int_ids(self, name):
        return self.layouts[name] in ("quickstart", "typed")

    def _key(self, name, id_):
        return int(id_) if self._int_ids(name) else id_

    def _literal(self, name, id_):
        return str(int(id_)) if self._int_ids(name) else json.dumps(id_)

    def create(self, name, layout, records, dim=8):
        c = self.client
        self.layouts[name] = layout
        if layout == "quickstart":
            c.create_collection(name, dimension=dim, metric_type="COSINE", consistency_level=STRONG)
            rows = [dict({"id": int(r["id"]), "vector": r["vector"]}, **r["metadata"]) for r in records]
        elif layout == "typed":
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
            s.add_field("pk", DataType.INT64, is_primary=True)
            s.add_field("embedding", DataType.FLOAT_VECTOR, dim=dim)
            s.add_field("category", DataType.VARCHAR, max_length=64)
            s.add_field("year", DataType.INT32)
            s.add_field("rating", DataType.FLOAT)
            s.add_field("published", DataType.BOOL)
            s.add_field("tags", DataType.ARRAY, element_type=DataType.VARCHAR, max_capacity=8, max_length=32)
            ip = c.prepare_index_params()
            ip.add_index("embedding", index_type="HNSW", metric_type="COSINE", params={"M": 16, "efConstruction": 64})
            c.create_collection(name, schema=s, index_params=ip, consistency_level=STRONG)
            rows = [dict({"pk": int(r["id"]), "embedding": r["vector"]}, **r["metadata"]) for r in records]
        elif layout in ("langchain4j", "springai"):
            lc = layout == "langchain4j"
            pk, text, vec = ("id", "text", "vector") if lc else ("doc_id", "content", "embedding")
            s = MilvusClient.create_schema(auto_id=False, enable_dynamic_field=False,
                                           description="" if lc else "Spring AI Vector Store")
            s.add_field(pk, DataType.VARCHAR, max_length=36, is_primary=True)
            s.add_field(text, DataType.VARCHAR, max_length=65535)
            s.add_field("metadata", DataType.JSON)
            s.add_field(vec, DataType.FLOAT_VECTOR, dim=dim)
            ip = c.prepare_index_params()
            if lc:
                ip.add_index(vec, index_type="FLAT", metric_type="COSINE")
            else:
                ip.add_index(vec, index_type="IVF_FLAT", metric_type="COSINE", params={"nlist": 1024})
            kwargs = {} if lc else {"num_shards": 2}
            c.create_collection(name, schema=s, index_params=ip, consistency_level=STRONG, **kwargs)
            rows = [{pk: r["id"], text: "text of " + r["id"], "metadata": r["metadata"], vec: r["vector"]} for r in records]
        else:
            raise ValueError("unknown layout " + layout)
        for i in range(0, len(rows), 100):
            c.insert(name, rows[i:i + 100])
        c.load_collection(name)
        return len(rows)

    def count(self, name):
        r = self.client.query(name, filter="", output_fields=["count(*)"], consistency_level=STRONG)
        return r[0]["count(*)"]

    def ids(self, name):
        pk = self._pk(name)
        out, it = [], self.client.query_iterator(name, batch_size=100, filter="", output_fields=[pk],
                                                 consistency_level=STRONG)
        while True:
            batch = it.next()
            if not batch:
                break
            out.extend(str(r[pk]) for r in batch)
        it.close()
        return out

    def get(self, name, id_):
        pk = self._pk(name)
        rows = self.client.query(name, filter=pk + " == " + self._literal(name, id_), output_fields=["*"],
                                 consistency_level=STRONG)
        if not rows:
            return None
        row = dict(rows[0])
        row.pop(self._vec(name), None)
        meta = row.pop("metadata", None)
        if isinstance(meta, dict):  # the frameworks' JSON metadata, flattened as Quiver maps it
            row.update(meta)
        return {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in row.items()}

    def search(self, name, vector, k, category):
        layout = self.layouts[name]
        flt = ""
        if category is not None:
            ref = 'metadata["category"]' if layout in ("langchain4j", "springai") else "category"
            flt = ref + " == " + json.dumps(category)
        res = self.client.search(name, data=[vector], anns_field=self._vec(name), limit=k, filter=flt,
                                 output_fields=[self._pk(name)], consistency_level=STRONG)
        pk = self._pk(name)
        return [str(hit["id"] if "id" in hit else hit["entity"][pk]) for hit in res[0]]

    def drop(self, name):
        if self.client.has_collection(name):
            self.client.drop_collection(name)
        return True


def main():
    vendor = Vendor(sys.argv[1])
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            op = req["op"]
            if op == "create":
                out = vendor.create(req["name"], req["layout"], req["records"])
            elif op == "count":
                out = vendor.count(req["name"])
            elif op == "ids":
                out = vendor.ids(req["name"])
            elif op == "get":
                out = vendor.get(req["name"], req["id"])
            elif op == "search":
                out = vendor.search(req["name"], req["vector"], req["k"], req.get("category"))
            elif op == "drop":
                out = vendor.drop(req["name"])
            else:
                raise ValueError("unknown op " + op)
            answer = {"ok": out}
        except Exception as e:  # the Java side fails the test with the message
            answer = {"error": type(e).__name__ + ": " + str(e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
