package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link CollectionSpec} kept in the collection property {@value #PROPERTY} and in the Milvus
 * collection's description, as
 * {@code quiver-spec:v1 {"name":..,"dimension":..,"metric":..,"index":..,...}}, so that
 * {@code describeCollection} returns exactly the spec the collection was created with. Declared fields
 * ({@code "fields":[{"name":..,"type":..,"indexed":..}]}), {@code "undeclaredKeysAllowed"},
 * {@code "multiTenant"} and how missing declared values are kept ({@code "nullable"}) are written only
 * when they differ from the defaults, so specs of older collections read as before.
 */
public final class SpecCodec {

  /** Collection property holding the same text (Milvus Lite does not keep descriptions). */
  public static final String PROPERTY = "quiver.spec";

  /** Prefix of every Quiver collection description. */
  public static final String PREFIX = "quiver-spec:v1 ";

  private SpecCodec() {}

  /**
   * A spec as stored, with how the collection keeps missing declared values.
   *
   * @param spec the spec
   * @param nullableFields whether declared fields are nullable (else a placeholder plus {@value Schema#ABSENT})
   */
  public record Stored(CollectionSpec spec, boolean nullableFields) {}

  /**
   * @param spec a spec without declared fields
   * @return the description text
   */
  public static String encode(CollectionSpec spec) {
    return encode(spec, false);
  }

  /**
   * @param spec a spec
   * @param nullableFields whether its declared fields are nullable
   * @return the description text
   */
  public static String encode(CollectionSpec spec, boolean nullableFields) {
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
    if (!spec.fields().isEmpty()) {
      JsonArray fields = new JsonArray();
      for (MetadataField f : spec.fields()) {
        JsonObject fo = new JsonObject();
        fo.addProperty("name", f.name());
        fo.addProperty("type", f.type().name());
        fo.addProperty("indexed", f.indexed());
        fields.add(fo);
      }
      o.add("fields", fields);
      o.addProperty("nullable", nullableFields);
    }
    if (!spec.undeclaredKeysAllowed()) {
      o.addProperty("undeclaredKeysAllowed", false);
    }
    if (spec.multiTenant()) {
      o.addProperty("multiTenant", true);
    }
    return PREFIX + o;
  }

  /**
   * @param description a collection description
   * @return the spec, or empty when the description is not one of ours
   */
  public static Optional<CollectionSpec> decode(String description) {
    return decodeStored(description).map(Stored::spec);
  }

  /**
   * @param description a collection description (or the property)
   * @return the stored spec, or empty when the text is not one of ours
   */
  public static Optional<Stored> decodeStored(String description) {
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
      List<MetadataField> fields = new ArrayList<>();
      if (o.has("fields")) {
        for (JsonElement e : o.getAsJsonArray("fields")) {
          JsonObject fo = e.getAsJsonObject();
          fields.add(new MetadataField(fo.get("name").getAsString(), FieldType.valueOf(fo.get("type").getAsString()),
              fo.get("indexed").getAsBoolean()));
        }
      }
      CollectionSpec spec = CollectionSpec.builder(o.get("name").getAsString()).dimension(o.get("dimension").getAsInt())
          .metric(Metric.valueOf(o.get("metric").getAsString())).index(index).fields(fields)
          .undeclaredKeysAllowed(!o.has("undeclaredKeysAllowed") || o.get("undeclaredKeysAllowed").getAsBoolean())
          .multiTenant(o.has("multiTenant") && o.get("multiTenant").getAsBoolean()).build();
      return Optional.of(new Stored(spec, o.has("nullable") && o.get("nullable").getAsBoolean()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
