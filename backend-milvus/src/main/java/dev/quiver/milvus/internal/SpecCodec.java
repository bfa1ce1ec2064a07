package dev.quiver.milvus.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import java.util.Optional;

/**
 * The {@link CollectionSpec} kept in the collection property {@value #PROPERTY} and in the Milvus
 * collection's description, as
 * {@code quiver-spec:v1 {"name":..,"dimension":..,"metric":..,"index":..,...}}, so that
 * {@code describeCollection} returns exactly the spec the collection was created with.
 */
public final class SpecCodec {

  /** Collection property holding the same text (Milvus Lite does not keep descriptions). */
  public static final String PROPERTY = "quiver.spec";

  /** Prefix of every Quiver collection description. */
  public static final String PREFIX = "quiver-spec:v1 ";

  private SpecCodec() {}

  /**
   * @param spec a spec
   * @return the description text
   */
  public static String encode(CollectionSpec spec) {
    JsonObject o = new JsonObject();
    o.addProperty("name", spec.name());
    o.addProperty("dimension", spec.dimension());
    o.addProperty("metric", spec.metric().name());
    IndexSpec index = spec.index();
    if (index instanceof IndexSpec.Hnsw h) {
      o.addProperty("index", "HNSW");
      o.addProperty("m", h.m());
      o.addProperty("efConstruction", h.efConstruction());
    } else if (index instanceof IndexSpec.IvfPq ivf) {
      o.addProperty("index", ivf.quantized() ? "IVF_PQ" : "IVF_FLAT");
      o.addProperty("nlist", ivf.nlist());
      o.addProperty("subspaces", ivf.subspaces());
      o.addProperty("bits", ivf.bits());
    } else {
      o.addProperty("index", "FLAT");
    }
    return PREFIX + o;
  }

  /**
   * @param description a collection description
   * @return the spec, or empty when the description is not one of ours
   */
  public static Optional<CollectionSpec> decode(String description) {
    if (description == null || !description.startsWith(PREFIX)) {
      return Optional.empty();
    }
    try {
      JsonObject o = JsonParser.parseString(description.substring(PREFIX.length())).getAsJsonObject();
      IndexSpec index = switch (o.get("index").getAsString()) {
        case "HNSW" -> IndexSpec.hnsw(o.get("m").getAsInt(), o.get("efConstruction").getAsInt());
        case "IVF_FLAT" -> IndexSpec.ivfFlat(o.get("nlist").getAsInt());
        case "IVF_PQ" -> IndexSpec.ivfPq(o.get("nlist").getAsInt(), o.get("subspaces").getAsInt(), o.get("bits").getAsInt());
        case "FLAT" -> IndexSpec.flat();
        default -> throw new IllegalArgumentException("unknown index");
      };
      return Optional.of(CollectionSpec.builder(o.get("name").getAsString()).dimension(o.get("dimension").getAsInt())
          .metric(Metric.valueOf(o.get("metric").getAsString())).index(index).build());
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
