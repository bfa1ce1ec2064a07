package dev.quiver.milvus.internal;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.CreateCollectionReq.FieldSchema;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a Milvus collection that Quiver did not create maps onto Quiver, read from its schema and the
 * index of its vector field (see {@code docs/backends/milvus.md}, "Collections Quiver did not create"):
 * <ul>
 *   <li>the primary key: INT64 (ids are its decimal strings) or VARCHAR (ids as they are);
 *   <li>the vector: its only FLOAT_VECTOR field, or the one named by {@code collection(name, vector)};
 *       metric and index from that field's index;
 *   <li>metadata: scalar fields under their names (INT8..INT64 as longs, FLOAT/DOUBLE as doubles, VARCHAR,
 *       BOOL, ARRAY&lt;VARCHAR&gt;), reported as declared fields; the top-level keys of the JSON fields and of
 *       the dynamic field;
 *   <li>anything else (other vector fields, ARRAY of other types, GEOMETRY, TIMESTAMPTZ, STRUCT, fields whose
 *       names are not metadata keys) is not exposed; it is named under {@code unmapped} in the layout, and
 *       writes are refused, since an upsert would lose it.
 * </ul>
 */
public final class ForeignSchema {

  /** A scalar field exposed as the metadata key of the same name. */
  record Scalar(String name, DataType native_, FieldType type, boolean nullable, Object defaultValue, int maxLength,
      int maxCapacity, long min, long max, boolean indexed) {}

  final String collection;
  final String idField;
  final boolean intId;
  final int idMaxLength;
  final boolean autoId;
  final String vectorField;
  final int dimension;
  final Metric metric;
  final IndexSpec index;
  final String nativeIndex;
  final Map<String, Scalar> scalars = new LinkedHashMap<>();
  final List<String> jsonFields = new ArrayList<>();
  final boolean dynamic;
  final List<String> unmapped = new ArrayList<>();
  final List<String> vectorFields = new ArrayList<>();

  /**
   * @param name the Quiver name of the collection
   * @param resp the collection's description
   * @param indexes the index descriptions of its fields, by field
   * @param vector the vector to use, when {@code collection(name, vector)} named one
   * @throws InvalidArgumentException if there is no usable vector, several and none chosen, or the chosen one is missing
   * @throws dev.quiver.BackendException if the chosen vector field has no index (Milvus cannot search it)
   */
  ForeignSchema(String name, DescribeCollectionResp resp, Map<String, DescribeIndexResp.IndexDesc> indexes,
      Optional<String> vector) {
    this.collection = name;
    this.dynamic = Boolean.TRUE.equals(resp.getEnableDynamicField());
    List<FieldSchema> fields = resp.getCollectionSchema().getFieldSchemaList();
    FieldSchema pk = null;
    List<String> otherVectors = new ArrayList<>();
    for (FieldSchema f : fields) {
      if (Boolean.TRUE.equals(f.getIsPrimaryKey())) {
        pk = f;
      } else if (f.getDataType() == DataType.FloatVector) {
        vectorFields.add(f.getName());
      } else if (isVector(f.getDataType())) {
        otherVectors.add(f.getName() + " (" + typeName(f) + ")");
      }
    }
    if (pk == null || (pk.getDataType() != DataType.Int64 && pk.getDataType() != DataType.VarChar)) {
      throw new InvalidArgumentException("Milvus collection '" + name + "' has a primary key of type "
          + (pk == null ? "none" : typeName(pk)) + "; Quiver maps INT64 and VARCHAR keys");
    }
    this.idField = pk.getName();
    this.intId = pk.getDataType() == DataType.Int64;
    this.idMaxLength = pk.getMaxLength() == null ? 65_535 : pk.getMaxLength();
    this.autoId = Boolean.TRUE.equals(pk.getAutoID()) || Boolean.TRUE.equals(resp.getAutoID());
    if (vectorFields.isEmpty()) {
      throw new InvalidArgumentException("Milvus collection '" + name + "' has no FLOAT_VECTOR field"
          + (otherVectors.isEmpty() ? "" : " (only " + String.join(", ", otherVectors) + ")")
          + "; Quiver searches and writes float vectors only");
    }
    if (vector.isPresent()) {
      if (!vectorFields.contains(vector.get())) {
        throw new InvalidArgumentException("Milvus collection '" + name + "' has no FLOAT_VECTOR field '" + vector.get()
            + "'; its vector fields: " + vectorFields);
      }
      this.vectorField = vector.get();
    } else {
      this.vectorField = vectorFields.get(0);
    }
    FieldSchema vf = fields.stream().filter(f -> f.getName().equals(vectorField)).findFirst().orElseThrow();
    this.dimension = vf.getDimension() == null ? 0 : vf.getDimension();
    DescribeIndexResp.IndexDesc idx = indexes.get(vectorField);
    if (idx == null || idx.getMetricType() == null) {
      throw new dev.quiver.BackendException("vector field '" + vectorField + "' of Milvus collection '" + name
          + "' has no index, so Milvus can neither load nor search the collection; create an index on it first", null);
    }
    this.metric = switch (idx.getMetricType()) {
      case COSINE -> Metric.COSINE;
      case IP -> Metric.DOT_PRODUCT;
      case L2 -> Metric.EUCLIDEAN;
      default -> throw new InvalidArgumentException("vector field '" + vectorField + "' of Milvus collection '" + name
          + "' uses metric " + idx.getMetricType() + "; Quiver maps COSINE, IP and L2");
    };
    this.nativeIndex = idx.getIndexType() + (idx.getExtraParams() == null || idx.getExtraParams().isEmpty() ? ""
        : " " + withoutMetric(idx.getExtraParams()));
    this.index = indexSpec(idx);
    for (FieldSchema f : fields) {
      if (f == pk || f.getName().equals(vectorField)) {
        continue;
      }
      if (f.getDataType() == DataType.FloatVector || isVector(f.getDataType())) {
        unmapped.add("vector field '" + f.getName() + "' (" + typeName(f) + ")");
        continue;
      }
      if (f.getDataType() == DataType.JSON) {
        jsonFields.add(f.getName());
        continue;
      }
      FieldType type = scalarType(f);
      if (type == null || !isKey(f.getName())) {
        unmapped.add("field '" + f.getName() + "' (" + typeName(f) + (type == null ? "" : ", not a metadata key") + ")");
        continue;
      }
      long[] range = switch (f.getDataType()) {
        case Int8 -> new long[] {Byte.MIN_VALUE, Byte.MAX_VALUE};
        case Int16 -> new long[] {Short.MIN_VALUE, Short.MAX_VALUE};
        case Int32 -> new long[] {Integer.MIN_VALUE, Integer.MAX_VALUE};
        default -> new long[] {Long.MIN_VALUE, Long.MAX_VALUE};
      };
      scalars.put(f.getName(), new Scalar(f.getName(), f.getDataType(), type, Boolean.TRUE.equals(f.getIsNullable()),
          f.getDefaultValue(), f.getMaxLength() == null ? 65_535 : f.getMaxLength(),
          f.getMaxCapacity() == null ? 4_096 : f.getMaxCapacity(), range[0], range[1], indexes.containsKey(f.getName())));
    }
  }

  private static boolean isVector(DataType t) {
    return t == DataType.BinaryVector || t == DataType.Float16Vector || t == DataType.BFloat16Vector
        || t == DataType.SparseFloatVector || t == DataType.Int8Vector || t == DataType.FloatVector;
  }

  private static boolean isKey(String name) {
    try {
      Metadata.checkKey(name);
      return true;
    } catch (InvalidArgumentException e) {
      return false;
    }
  }

  private static FieldType scalarType(FieldSchema f) {
    return switch (f.getDataType()) {
      case Bool -> FieldType.BOOL;
      case Int8, Int16, Int32, Int64 -> FieldType.LONG;
      case Float, Double -> FieldType.DOUBLE;
      case VarChar, String -> FieldType.STRING;
      case Array -> f.getElementType() == DataType.VarChar || f.getElementType() == DataType.String
          ? FieldType.STRING_LIST : null;
      default -> null;
    };
  }

  static String typeName(FieldSchema f) {
    return switch (f.getDataType()) {
      case VarChar -> "VARCHAR(" + f.getMaxLength() + ")";
      case Array -> "ARRAY<" + String.valueOf(f.getElementType()).toUpperCase(java.util.Locale.ROOT) + ">";
      default -> String.valueOf(f.getDataType()).toUpperCase(java.util.Locale.ROOT);
    } + (Boolean.TRUE.equals(f.getIsNullable()) ? " nullable" : "");
  }

  private static Map<String, String> withoutMetric(Map<String, String> params) {
    Map<String, String> out = new LinkedHashMap<>(params);
    out.remove("metric_type");
    out.remove("index_type");
    return out;
  }

  /** The index as a Quiver spec where it is one Quiver knows (so search hints apply), else FLAT. */
  private static IndexSpec indexSpec(DescribeIndexResp.IndexDesc idx) {
    Map<String, String> p = idx.getExtraParams() == null ? Map.of() : idx.getExtraParams();
    try {
      if (idx.getIndexType() == IndexParam.IndexType.HNSW) {
        return IndexSpec.hnsw(Integer.parseInt(p.get("M")), Integer.parseInt(p.get("efConstruction")));
      }
      if (idx.getIndexType() == IndexParam.IndexType.IVF_FLAT) {
        return IndexSpec.ivfFlat(Integer.parseInt(p.get("nlist")));
      }
      if (idx.getIndexType() == IndexParam.IndexType.IVF_PQ) {
        return IndexSpec.ivfPq(Integer.parseInt(p.get("nlist")), Integer.parseInt(p.get("m")),
            Integer.parseInt(p.getOrDefault("nbits", "8")));
      }
    } catch (RuntimeException e) {
      // parameters missing or out of Quiver's ranges: reported as the native index only
    }
    return IndexSpec.flat();
  }

  /** @return where keys without a field of their own are written, or empty when writes cannot place them */
  Optional<String> undeclaredTarget() {
    if (jsonFields.contains("metadata")) {
      return Optional.of("metadata");
    }
    if (jsonFields.size() == 1) {
      return Optional.of(jsonFields.get(0));
    }
    return jsonFields.isEmpty() && dynamic ? Optional.of("$meta") : Optional.empty();
  }

  /** @return the JSON sources keys are read from: the JSON fields, then the dynamic field */
  List<String> jsonSources() {
    List<String> out = new ArrayList<>(jsonFields);
    if (dynamic) {
      out.add("$meta");
    }
    return out;
  }

  /** @return why writes are refused, or empty when they keep the native layout */
  Optional<String> whyNotWritable() {
    List<String> reasons = new ArrayList<>();
    if (autoId) {
      reasons.add("its primary key '" + idField + "' is generated by Milvus (auto_id), so records cannot keep their ids");
    }
    if (!unmapped.isEmpty()) {
      reasons.add("an upsert would lose what Quiver does not map: " + String.join(", ", unmapped));
    }
    if (jsonSources().size() > 1) {
      reasons.add("its keys come from several JSON sources " + jsonSources()
          + ", and a write could not tell which one a key belongs in");
    }
    return reasons.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", reasons));
  }

  /** @return the spec {@code describeCollection} reports, with the native layout in words */
  CollectionSpec spec() {
    Map<String, String> layout = new LinkedHashMap<>();
    layout.put("id", (intId ? "INT64" : "VARCHAR(" + idMaxLength + ")") + " primary key '" + idField + "'"
        + (intId ? ": ids are its decimal strings" : "") + (autoId ? " (auto_id)" : ""));
    layout.put("vector", "FLOAT_VECTOR field '" + vectorField + "' (dim " + dimension + ", " + metric + ", index "
        + nativeIndex + ")" + (vectorFields.size() > 1 ? "; vector fields " + vectorFields
        + ": open another one with collection(name, vector)" : ""));
    List<String> meta = new ArrayList<>();
    for (Scalar s : scalars.values()) {
      meta.add(s.name() + " (" + s.native_().name().toUpperCase(java.util.Locale.ROOT)
          + (s.nullable() ? " nullable" : "") + ")");
    }
    List<String> sources = new ArrayList<>();
    if (!meta.isEmpty()) {
      sources.add("scalar fields " + String.join(", ", meta));
    }
    for (String j : jsonFields) {
      sources.add("the top-level keys of JSON field '" + j + "'");
    }
    if (dynamic) {
      sources.add("the keys of the dynamic field");
    }
    layout.put("metadata", sources.isEmpty() ? "none" : String.join("; ", sources));
    if (!unmapped.isEmpty()) {
      layout.put("unmapped", "not exposed: " + String.join(", ", unmapped));
    }
    Optional<String> why = whyNotWritable();
    layout.put("readOnly", why.map(w -> "writes are refused: " + w).orElse("no: writes keep this layout; keys without"
        + " a field of their own go to " + undeclaredTarget().map(t -> t.equals("$meta") ? "the dynamic field"
        : "JSON field '" + t + "'").orElse("nowhere (refused)")));
    List<MetadataField> declared = new ArrayList<>();
    for (Scalar s : scalars.values()) {
      if (declared.size() < CollectionSpec.MAX_FIELDS) {
        declared.add(new MetadataField(s.name(), s.type(), s.indexed()));
      }
    }
    // Without a JSON source a key needs a field of its own (the boundary then names the fields allowed).
    boolean undeclared = !jsonSources().isEmpty() || declared.isEmpty() || declared.size() < scalars.size();
    return CollectionSpec.builder(collection).dimension(dimension).metric(metric).index(index).fields(declared)
        .undeclaredKeysAllowed(undeclared).layout(layout).build();
  }
}
