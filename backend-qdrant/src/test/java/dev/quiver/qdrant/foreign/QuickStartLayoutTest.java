package dev.quiver.qdrant.foreign;

import static io.qdrant.client.ValueFactory.list;
import static io.qdrant.client.ValueFactory.value;

import dev.quiver.Record;
import dev.quiver.conformance.VendorCollection;
import io.qdrant.client.PointIdFactory;
import io.qdrant.client.VectorsFactory;
import io.qdrant.client.grpc.Collections.CreateCollection;
import io.qdrant.client.grpc.Collections.Distance;
import io.qdrant.client.grpc.Collections.VectorParams;
import io.qdrant.client.grpc.Collections.VectorsConfig;
import io.qdrant.client.grpc.JsonWithInt.Value;
import io.qdrant.client.grpc.Points.PointStruct;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Qdrant's quick-start layout (qdrant.tech "Local Quickstart", the Java client's README): integer
 * point ids, one unnamed vector under Cosine, a flat payload of strings, integers, floats, booleans
 * and lists of strings.
 */
class QuickStartLayoutTest extends QdrantVendorKit {

  @Override
  protected String layoutName() {
    return "Qdrant quick-start (integer ids, unnamed vector, flat payload)";
  }

  @Override
  protected VendorCollection createWithVendorClient(String name, List<Record> records) {
    CreateCollection create = CreateCollection.newBuilder().setCollectionName(name)
        .setVectorsConfig(VectorsConfig.newBuilder().setParams(
            VectorParams.newBuilder().setSize(DIM).setDistance(Distance.Cosine)))
        .build();
    List<PointStruct> points = new ArrayList<>();
    for (Record r : records) {
      points.add(PointStruct.newBuilder().setId(PointIdFactory.id(Long.parseLong(r.id())))
          .setVectors(VectorsFactory.vectors(r.vector())).putAllPayload(payload(r)).build());
    }
    return createAndFill(create, points, null);
  }

  /** The record's metadata as a client application writes it with ValueFactory. */
  static Map<String, Value> payload(Record r) {
    Map<String, Value> p = new LinkedHashMap<>();
    r.metadata().asMap().forEach((k, v) -> p.put(k, valueOf(v)));
    return p;
  }

  static Value valueOf(Object v) {
    if (v instanceof String s) {
      return value(s);
    }
    if (v instanceof Long l) {
      return value(l);
    }
    if (v instanceof Double d) {
      return value(d);
    }
    if (v instanceof Boolean b) {
      return value(b);
    }
    if (v instanceof List<?> l) {
      return list(l.stream().map(x -> value((String) x)).toList());
    }
    throw new IllegalArgumentException(String.valueOf(v));
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("doc-1");
  }
}
