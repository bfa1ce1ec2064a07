package dev.quiver.pinecone.emulator;

import static dev.quiver.pinecone.emulator.EmulatorWire.JSON;
import static dev.quiver.pinecone.emulator.EmulatorWire.allowOnly;
import static dev.quiver.pinecone.emulator.EmulatorWire.bad;
import static dev.quiver.pinecone.emulator.EmulatorWire.bool;
import static dev.quiver.pinecone.emulator.EmulatorWire.dataError;
import static dev.quiver.pinecone.emulator.EmulatorWire.filter;
import static dev.quiver.pinecone.emulator.EmulatorWire.floats;
import static dev.quiver.pinecone.emulator.EmulatorWire.id;
import static dev.quiver.pinecone.emulator.EmulatorWire.json;
import static dev.quiver.pinecone.emulator.EmulatorWire.namespace;
import static dev.quiver.pinecone.emulator.EmulatorWire.parse;
import static dev.quiver.pinecone.emulator.EmulatorWire.withLsn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.pinecone.emulator.PineconeEmulator.PineconeHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.IntSupplier;
import mockwebserver3.MockResponse;
import okhttp3.HttpUrl;

/**
 * The emulator's data plane: upsert, query, fetch, delete, list and describe_index_stats on one
 * index, validated as Pinecone documents them. Called with the emulator's lock held.
 */
final class EmulatorDataPlane {

  private static final int MAX_BODY = 2 * 1024 * 1024;
  private static final int MAX_METADATA = 40 * 1024;

  private final EmulatorFilter.NeMissing neMissing;
  private final IntSupplier lagReads;

  EmulatorDataPlane(EmulatorFilter.NeMissing neMissing, IntSupplier lagReads) {
    this.neMissing = neMissing;
    this.lagReads = lagReads;
  }

  MockResponse upsert(EmulatorIndex i, String body) {
    if (body.getBytes(StandardCharsets.UTF_8).length > MAX_BODY) {
      throw bad("Request size " + body.length() + " bytes exceeds the maximum of " + MAX_BODY + " bytes");
    }
    JsonNode n = parse(body, false);
    allowOnly(n, false, "vectors", "namespace");
    String ns = namespace(n);
    JsonNode vectors = n.get("vectors");
    if (vectors == null || !vectors.isArray()) {
      throw bad("missing required field vectors");
    }
    if (vectors.size() > 1000) {
      throw bad("Upsert batch of " + vectors.size() + " vectors exceeds the maximum of 1000");
    }
    if (vectors.isEmpty()) {
      throw bad("vectors must not be empty");
    }
    List<EmulatorIndex.Rec> recs = new ArrayList<>();
    for (JsonNode v : vectors) {
      if (!v.isObject()) {
        throw bad("each vector must be an object");
      }
      allowOnly(v, false, "id", "values", "sparseValues", "metadata");
      String id = id(v.get("id"));
      JsonNode values = v.get("values");
      if (values == null || !values.isArray()) {
        throw bad("Vector " + id + " has no dense values; this index is dense");
      }
      float[] f = floats(values, "values of " + id);
      if (f.length != i.dimension) {
        throw bad("Vector dimension " + f.length + " does not match the dimension of the index " + i.dimension);
      }
      boolean allZero = true;
      for (float x : f) {
        allZero &= x == 0f;
      }
      if (allZero) {
        throw bad("Dense vectors must contain at least one non-zero value (vector " + id + ")");
      }
      if (v.has("sparseValues")) {
        throw bad("sparse values are not supported by this emulator");
      }
      ObjectNode md = v.has("metadata") ? metadata(v.get("metadata"), id) : null;
      recs.add(new EmulatorIndex.Rec(id, f, md));
    }
    Map<String, EmulatorIndex.Rec> target = i.create(ns);
    for (EmulatorIndex.Rec r : recs) {
      target.put(r.id(), r);
    }
    long lsn = i.commit(lagReads.getAsInt());
    ObjectNode out = JSON.createObjectNode().put("upsertedCount", recs.size());
    return withLsn(json(200, out), PineconeHeaders.REQUEST_LSN, lsn);
  }

  private ObjectNode metadata(JsonNode md, String id) {
    if (!md.isObject()) {
      throw bad("metadata of " + id + " must be a flat JSON object");
    }
    if (JSON.valueToTree(md).toString().getBytes(StandardCharsets.UTF_8).length > MAX_METADATA) {
      throw bad("Metadata size is " + md.toString().getBytes(StandardCharsets.UTF_8).length
          + " bytes, which exceeds the limit of " + MAX_METADATA + " bytes per vector");
    }
    ObjectNode out = JSON.createObjectNode();
    Iterator<Map.Entry<String, JsonNode>> it = md.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String k = e.getKey();
      JsonNode v = e.getValue();
      if (k.isEmpty() || k.startsWith("$")) {
        throw bad("metadata key '" + k + "' of " + id + " must be non-empty and not start with '$'");
      }
      if (v.isTextual() || v.isBoolean()) {
        out.set(k, v);
      } else if (v.isNumber()) {
        out.put(k, v.doubleValue()); // Pinecone keeps every number as float64
      } else if (v.isArray()) {
        for (JsonNode x : v) {
          if (!x.isTextual()) {
            throw bad("metadata list '" + k + "' of " + id + " must hold only strings");
          }
        }
        out.set(k, v);
      } else {
        throw bad("metadata value '" + k + "' of " + id + " has unsupported type " + v.getNodeType()
            + " (null and nested objects are not supported)");
      }
    }
    return out;
  }

  MockResponse query(EmulatorIndex i, String body) {
    JsonNode n = parse(body, false);
    allowOnly(n, false, "namespace", "topK", "filter", "includeValues", "includeMetadata", "vector", "sparseVector",
        "id", "scanFactor", "maxCandidates");
    String ns = namespace(n);
    JsonNode topK = n.get("topK");
    if (topK == null || !topK.isIntegralNumber()) {
      throw bad("topK is required and must be an integer");
    }
    if (topK.asLong() < 1 || topK.asLong() > 10_000) {
      throw bad("topK must be between 1 and 10000, got " + topK.asLong());
    }
    boolean values = bool(n, "includeValues");
    boolean meta = bool(n, "includeMetadata");
    if (n.has("vector") == n.has("id")) {
      throw bad("exactly one of vector or id is required");
    }
    if (n.has("sparseVector")) {
      throw bad("sparse queries are not supported by this emulator");
    }
    JsonNode filter = n.get("filter");
    filter(filter);
    TreeMap<String, EmulatorIndex.Rec> view = i.read(ns);
    if (!i.exists(ns)) {
      return withLsn(json(404, dataError(5, "Namespace not found")), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
    }
    float[] q;
    if (n.has("vector")) {
      q = floats(n.get("vector"), "vector");
      if (q.length != i.dimension) {
        throw bad("Query vector dimension " + q.length + " does not match the dimension of the index " + i.dimension);
      }
    } else {
      EmulatorIndex.Rec r = view.get(id(n.get("id")));
      if (r == null) {
        return withLsn(json(200, JSON.createObjectNode().<ObjectNode>set("matches", JSON.createArrayNode())
            .put("namespace", ns)), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
      }
      q = r.values();
    }
    List<Object[]> scored = new ArrayList<>();
    for (EmulatorIndex.Rec r : view.values()) {
      if (filter != null && !filter.isEmpty() && !EmulatorFilter.matches(filter, r.metadata(), neMissing)) {
        continue;
      }
      scored.add(new Object[] {r, score(i.metric, q, r.values())});
    }
    Comparator<Object[]> order = Comparator.comparingDouble(o -> (Float) o[1]);
    if (!i.metric.equals("euclidean")) {
      order = order.reversed();
    }
    scored.sort(order.thenComparing(o -> ((EmulatorIndex.Rec) o[0]).id()));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode matches = out.putArray("matches");
    for (Object[] o : scored.subList(0, (int) Math.min(scored.size(), topK.asLong()))) {
      EmulatorIndex.Rec r = (EmulatorIndex.Rec) o[0];
      ObjectNode m = matches.addObject();
      m.put("id", r.id());
      m.put("score", (Float) o[1]);
      if (values) {
        ArrayNode arr = m.putArray("values");
        for (float f : r.values()) {
          arr.add(f);
        }
      }
      if (meta && r.metadata() != null) {
        m.set("metadata", r.metadata());
      }
    }
    out.put("namespace", ns);
    out.putObject("usage").put("readUnits", 1);
    return withLsn(json(200, out), PineconeHeaders.MAX_INDEXED_LSN, i.indexedLsn);
  }

  private static float score(String metric, float[] q, float[] v) {
    double dot = 0;
    double nq = 0;
    double nv = 0;
    double l2 = 0;
    for (int k = 0; k < q.length; k++) {
      dot += (double) q[k] * v[k];
      nq += (double) q[k] * q[k];
      nv += (double) v[k] * v[k];
      double d = (double) q[k] - v[k];
      l2 += d * d;
    }
    return (float) switch (metric) {
      case "cosine" -> nq == 0 || nv == 0 ? 0 : dot / (Math.sqrt(nq) * Math.sqrt(nv));
      case "dotproduct" -> dot;
      default -> l2; // squared Euclidean distance, as Pinecone documents
    };
  }

  MockResponse fetch(EmulatorIndex i, HttpUrl url) {
    for (String p : url.queryParameterNames()) {
      if (!p.equals("ids") && !p.equals("namespace")) {
        throw bad("unknown query parameter " + p);
      }
    }
    List<String> ids = url.queryParameterValues("ids");
    if (ids.isEmpty()) {
      throw bad("ids is required");
    }
    if (ids.size() > 1000) {
      throw bad("Fetch of " + ids.size() + " ids exceeds the maximum of 1000");
    }
    for (String id : ids) {
      if (id == null || id.contains(" ")) {
        throw bad("ids must not contain spaces");
      }
      id(JSON.getNodeFactory().textNode(id));
    }
    String ns = namespace(url.queryParameter("namespace"));
    TreeMap<String, EmulatorIndex.Rec> view = i.read(ns);
    ObjectNode out = JSON.createObjectNode();
    ObjectNode vectors = out.putObject("vectors");
    for (String id : ids) {
      EmulatorIndex.Rec r = view.get(id);
      if (r != null) {
        ObjectNode v = vectors.putObject(id);
        v.put("id", id);
        ArrayNode arr = v.putArray("values");
        for (float f : r.values()) {
          arr.add(f);
        }
        if (r.metadata() != null) {
          v.set("metadata", r.metadata());
        }
      }
    }
    out.put("namespace", ns);
    out.putObject("usage").put("readUnits", 1);
    return json(200, out);
  }

  MockResponse delete(EmulatorIndex i, String body) {
    JsonNode n = parse(body, false);
    allowOnly(n, false, "ids", "deleteAll", "namespace", "filter");
    String ns = namespace(n);
    int modes = (n.has("ids") ? 1 : 0) + (bool(n, "deleteAll") ? 1 : 0) + (n.has("filter") ? 1 : 0);
    if (modes != 1) {
      throw bad("exactly one of ids, deleteAll=true or filter is required");
    }
    if (!i.exists(ns)) {
      return json(404, dataError(5, "Namespace not found"));
    }
    Map<String, EmulatorIndex.Rec> records = i.committed.get(ns);
    if (n.has("ids")) {
      JsonNode ids = n.get("ids");
      if (!ids.isArray() || ids.isEmpty()) {
        throw bad("ids must be a non-empty array");
      }
      if (ids.size() > 1000) {
        throw bad("Delete of " + ids.size() + " ids exceeds the maximum of 1000");
      }
      for (JsonNode id : ids) {
        records.remove(id(id));
      }
    } else if (n.has("filter")) {
      JsonNode filter = n.get("filter");
      filter(filter);
      if (filter.isEmpty()) {
        throw bad("filter must not be empty");
      }
      records.values().removeIf(r -> EmulatorFilter.matches(filter, r.metadata(), neMissing));
    } else {
      records.clear(); // deleteAll: this namespace only
    }
    long lsn = i.commit(lagReads.getAsInt());
    return withLsn(json(200, JSON.createObjectNode()), PineconeHeaders.REQUEST_LSN, lsn);
  }

  MockResponse list(EmulatorIndex i, HttpUrl url) {
    for (String p : url.queryParameterNames()) {
      if (!Set.of("prefix", "limit", "paginationToken", "namespace").contains(p)) {
        throw bad("unknown query parameter " + p);
      }
    }
    int limit = 100;
    String l = url.queryParameter("limit");
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        throw bad("limit must be an integer");
      }
      if (limit < 1) {
        throw bad("limit must be at least 1");
      }
    }
    String prefix = url.queryParameter("prefix") == null ? "" : url.queryParameter("prefix");
    String token = url.queryParameter("paginationToken");
    String after = null;
    if (token != null) {
      try {
        after = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw bad("invalid pagination token");
      }
    }
    String ns = namespace(url.queryParameter("namespace"));
    TreeMap<String, EmulatorIndex.Rec> view = i.read(ns);
    List<String> ids = new ArrayList<>();
    boolean more = false;
    for (String id : after == null ? view.keySet() : view.tailMap(after, false).keySet()) {
      if (!id.startsWith(prefix)) {
        continue;
      }
      if (ids.size() == limit) {
        more = true;
        break;
      }
      ids.add(id);
    }
    ObjectNode out = JSON.createObjectNode();
    ArrayNode arr = out.putArray("vectors");
    ids.forEach(id -> arr.addObject().put("id", id));
    if (more) {
      out.putObject("pagination").put("next",
          Base64.getEncoder().encodeToString(ids.get(ids.size() - 1).getBytes(StandardCharsets.UTF_8)));
    }
    out.put("namespace", ns);
    out.putObject("usage").put("readUnits", 1);
    return json(200, out);
  }

  MockResponse stats(EmulatorIndex i, String body) {
    JsonNode n = body.isEmpty() ? JSON.createObjectNode() : parse(body, false);
    allowOnly(n, false, "filter");
    if (n.has("filter")) {
      throw bad("Serverless and starter indexes do not support describing index stats with metadata filtering.");
    }
    TreeMap<String, TreeMap<String, EmulatorIndex.Rec>> view = i.readAll();
    ObjectNode out = JSON.createObjectNode();
    ObjectNode namespaces = out.putObject("namespaces");
    long total = 0;
    for (Map.Entry<String, TreeMap<String, EmulatorIndex.Rec>> e : view.entrySet()) {
      namespaces.putObject(e.getKey().isEmpty() ? PineconeEmulator.DEFAULT_NS : e.getKey())
          .put("vectorCount", e.getValue().size());
      total += e.getValue().size();
    }
    out.put("dimension", i.dimension);
    out.put("indexFullness", 0.0);
    out.put("totalVectorCount", total);
    out.put("metric", i.metric);
    out.put("vectorType", "dense");
    return json(200, out);
  }
}
