package dev.quiver.milvus.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.quiver.BackendException;
import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Record;
import dev.quiver.milvus.internal.MilvusExpressions.Presence;
import dev.quiver.milvus.internal.MilvusExpressions.Tagged;
import dev.quiver.milvus.internal.MilvusExpressions.Target;
import dev.quiver.milvus.internal.MilvusExpressions.Typed;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The layout of collections Quiver creates (see {@code docs/backends/milvus.md}):
 * <ul>
 *   <li>{@value Schema#ID} VARCHAR primary key, {@value Schema#VECTOR} FLOAT_VECTOR;
 *   <li>undeclared metadata keys in the JSON field {@value Schema#META}, their type tags in {@value Schema#TYPES};
 *   <li>each declared field in a typed scalar field ({@link Schema#fieldOf}): VARCHAR, INT64, DOUBLE, BOOL or
 *       ARRAY&lt;VARCHAR&gt;, with a scalar index when it is {@code indexed} and the server has one. A missing
 *       value is a null where the fields are nullable (Milvus Lite), else a placeholder with the key listed
 *       in {@value Schema#ABSENT} (see {@link TypedAtoms});
 *   <li>multi-tenant collections: {@value Schema#TENANT} VARCHAR (a partition key where the server's upsert
 *       honours it) and the primary key {@code tenant/id}, so ids are per tenant; every expression of a
 *       tenant's handle is ANDed with {@code __tenant == "tenant"}.
 * </ul>
 */
public final class QuiverLayout extends Layout {

  private final CollectionSpec spec;
  private final boolean nullable;
  private final Map<String, MetadataField> declared = new LinkedHashMap<>();
  private final List<String> outputFields;
  private final MilvusExpressions expressions;

  /** @param stored the collection's stored spec */
  public QuiverLayout(SpecCodec.Stored stored) {
    this.spec = stored.spec();
    this.nullable = stored.nullableFields();
    List<String> out = new ArrayList<>(List.of(Schema.ID, Schema.VECTOR, Schema.META, Schema.TYPES));
    for (MetadataField f : spec.fields()) {
      declared.put(f.name(), f);
      out.add(Schema.fieldOf(f.name()));
    }
    if (!declared.isEmpty() && !nullable) {
      out.add(Schema.ABSENT);
    }
    this.outputFields = List.copyOf(out);
    Tagged json = new Tagged(Schema.META, Schema.TYPES);
    Map<String, Target> targets = new HashMap<>();
    for (MetadataField f : spec.fields()) {
      targets.put(f.name(), new Typed(f.name(), Schema.fieldOf(f.name()), f.type(),
          nullable ? Presence.NULLABLE : Presence.ABSENT_LIST, nullable ? null : placeholder(f.type()),
          Long.MIN_VALUE, Long.MAX_VALUE));
    }
    this.expressions = new MilvusExpressions(new MilvusExpressions.Keys() {
      @Override
      public Target target(String key) {
        return targets.getOrDefault(key, json);
      }

      @Override
      public String never() {
        return QuiverLayout.this.never();
      }
    });
  }

  /**
   * The request that creates a collection with this layout.
   *
   * @param spec the spec (checked by the boundary)
   * @param milvusName the collection's Milvus name
   * @param traits the server's traits
   * @return the request
   */
  public static CreateCollectionReq createRequest(CollectionSpec spec, String milvusName, ServerTraits traits) {
    boolean nullable = traits.nullableDeclaredFields();
    CreateCollectionReq.CollectionSchema schema = CreateCollectionReq.CollectionSchema.builder().build();
    schema.setEnableDynamicField(false);
    schema.addField(AddFieldReq.builder().fieldName(Schema.ID).dataType(DataType.VarChar)
        .maxLength(spec.multiTenant() ? Schema.TENANT_ID_MAX_LENGTH : Schema.ID_MAX_LENGTH)
        .isPrimaryKey(true).autoID(false).build());
    schema.addField(AddFieldReq.builder().fieldName(Schema.VECTOR).dataType(DataType.FloatVector)
        .dimension(spec.dimension()).build());
    schema.addField(AddFieldReq.builder().fieldName(Schema.META).dataType(DataType.JSON).build());
    schema.addField(AddFieldReq.builder().fieldName(Schema.TYPES).dataType(DataType.JSON).build());
    List<IndexParam> indexes = new ArrayList<>();
    indexes.add(Indexes.indexParam(spec.index(), spec.metric()));
    for (MetadataField f : spec.fields()) {
      String field = Schema.fieldOf(f.name());
      AddFieldReq.AddFieldReqBuilder<?> b = AddFieldReq.builder().fieldName(field);
      switch (f.type()) {
        case STRING -> b.dataType(DataType.VarChar).maxLength(Schema.STRING_MAX_LENGTH);
        case LONG -> b.dataType(DataType.Int64);
        case DOUBLE -> b.dataType(DataType.Double);
        case BOOL -> b.dataType(DataType.Bool);
        case STRING_LIST -> b.dataType(DataType.Array).elementType(DataType.VarChar)
            .maxCapacity(Schema.LIST_MAX_CAPACITY).maxLength(Schema.LIST_ELEMENT_MAX_LENGTH);
      }
      if (nullable) {
        b.isNullable(true);
      }
      schema.addField(b.build());
      if (f.indexed()) {
        traits.scalarIndex(f.type()).ifPresent(type ->
            indexes.add(IndexParam.builder().fieldName(field).indexName(field).indexType(type).build()));
      }
    }
    if (!spec.fields().isEmpty() && !nullable) {
      schema.addField(AddFieldReq.builder().fieldName(Schema.ABSENT).dataType(DataType.Array)
          .elementType(DataType.VarChar).maxCapacity(spec.fields().size()).maxLength(64).build());
    }
    if (spec.multiTenant()) {
      boolean partitionKey = traits.partitionKeyUpserts();
      schema.addField(AddFieldReq.builder().fieldName(Schema.TENANT).dataType(DataType.VarChar)
          .maxLength(Schema.TENANT_MAX_LENGTH).isPartitionKey(partitionKey).build());
      if (!partitionKey) {
        traits.scalarIndex(FieldType.STRING).ifPresent(type -> indexes.add(IndexParam.builder()
            .fieldName(Schema.TENANT).indexName(Schema.TENANT).indexType(type).build()));
      }
    }
    String stored = SpecCodec.encode(spec, nullable);
    return CreateCollectionReq.builder().collectionName(milvusName).description(stored)
        .collectionSchema(schema).indexParams(indexes).property(SpecCodec.PROPERTY, stored)
        .consistencyLevel(ConsistencyLevel.STRONG).enableDynamicField(false).build();
  }

  private static Object placeholder(FieldType type) {
    return switch (type) {
      case STRING -> "";
      case LONG -> 0L;
      case DOUBLE -> 0.0;
      case BOOL -> false;
      case STRING_LIST -> List.of();
    };
  }

  private String never() {
    return Schema.ID + " < \"\"";
  }

  @Override
  public String idField() {
    return Schema.ID;
  }

  @Override
  public String vectorField() {
    return Schema.VECTOR;
  }

  @Override
  public List<String> outputFields() {
    return outputFields;
  }

  @Override
  public JsonObject row(Record r, Optional<String> tenant) {
    String what = "record '" + r.id() + "'";
    JsonObject row = new JsonObject();
    row.addProperty(Schema.ID, pk(r.id(), tenant));
    JsonArray vec = new JsonArray();
    for (float f : r.vector()) {
      vec.add(f);
    }
    row.add(Schema.VECTOR, vec);
    Map<String, Object> undeclared = new LinkedHashMap<>(r.metadata().asMap());
    undeclared.keySet().removeAll(declared.keySet());
    JsonObject[] mt = MetadataCodec.encode(Metadata.from(undeclared), what);
    row.add(Schema.META, mt[0]);
    row.add(Schema.TYPES, mt[1]);
    JsonArray absent = new JsonArray();
    for (MetadataField f : declared.values()) {
      String field = Schema.fieldOf(f.name());
      Optional<Object> v = r.metadata().get(f.name());
      if (v.isPresent()) {
        row.add(field, typedValue(f, v.get(), what));
      } else if (nullable) {
        row.add(field, JsonNull.INSTANCE);
      } else {
        row.add(field, typedValue(f, placeholder(f.type()), what));
        absent.add(f.name());
      }
    }
    if (!declared.isEmpty() && !nullable) {
      row.add(Schema.ABSENT, absent);
    }
    tenant.ifPresent(t -> row.addProperty(Schema.TENANT, t));
    return row;
  }

  /** A declared field's value as JSON, checked against the field's limits. */
  private static JsonElement typedValue(MetadataField f, Object v, String what) {
    JsonObject holder = new JsonObject();
    switch (f.type()) {
      case STRING -> holder.addProperty("v", limited((String) v, Schema.STRING_MAX_LENGTH, f, what));
      case LONG -> holder.addProperty("v", (Long) v);
      case DOUBLE -> holder.addProperty("v", (Double) v);
      case BOOL -> holder.addProperty("v", (Boolean) v);
      case STRING_LIST -> {
        List<?> list = (List<?>) v;
        if (list.size() > Schema.LIST_MAX_CAPACITY) {
          throw new InvalidArgumentException(what + ": declared field '" + f.name() + "' holds " + list.size()
              + " strings; its Milvus ARRAY field holds at most " + Schema.LIST_MAX_CAPACITY);
        }
        JsonArray arr = new JsonArray();
        for (Object o : list) {
          arr.add(limited((String) o, Schema.LIST_ELEMENT_MAX_LENGTH, f, what));
        }
        holder.add("v", arr);
      }
    }
    return holder.get("v");
  }

  private static String limited(String s, int maxBytes, MetadataField f, String what) {
    MetadataCodec.checkString(s, what, f.name());
    int bytes = s.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new InvalidArgumentException(what + ": a string of declared field '" + f.name() + "' has " + bytes
          + " UTF-8 bytes; its Milvus field holds at most " + maxBytes);
    }
    return s;
  }

  @Override
  public Record record(Map<String, Object> e, Optional<String> tenant) {
    String id = exposedId(e.get(Schema.ID), tenant);
    Metadata json = MetadataCodec.decode(e.get(Schema.META), e.get(Schema.TYPES));
    if (declared.isEmpty()) {
      return Record.of(id, MilvusCollection.floats(e.get(Schema.VECTOR), id, spec.dimension(), spec.name()), json);
    }
    Map<String, Object> m = new LinkedHashMap<>(json.asMap());
    List<?> absent = nullable ? List.of() : (List<?>) e.getOrDefault(Schema.ABSENT, List.of());
    for (MetadataField f : declared.values()) {
      Object v = e.get(Schema.fieldOf(f.name()));
      if (v == null || absent.contains(f.name())) {
        continue;
      }
      m.put(f.name(), switch (f.type()) {
        case STRING, BOOL, STRING_LIST -> v;
        case LONG -> ((Number) v).longValue();
        case DOUBLE -> ((Number) v).doubleValue();
      });
    }
    Metadata metadata;
    try {
      metadata = Metadata.from(m);
    } catch (RuntimeException ex) {
      throw new BackendException("a declared field of record '" + id + "' could not be read back: " + ex.getMessage(), ex);
    }
    return Record.of(id, MilvusCollection.floats(e.get(Schema.VECTOR), id, spec.dimension(), spec.name()), metadata);
  }

  @Override
  public String filter(Filter filter) {
    return expressions.of(filter);
  }

  @Override
  public Optional<String> scope(Optional<String> tenant) {
    return tenant.map(t -> Schema.TENANT + " == " + MilvusExpressions.string(t));
  }

  private static String pk(String id, Optional<String> tenant) {
    return tenant.map(t -> t + Schema.TENANT_SEPARATOR + id).orElse(id);
  }

  @Override
  public Optional<String> idIn(List<String> ids, Optional<String> tenant) {
    List<String> pks = new ArrayList<>(ids.size());
    for (String id : ids) {
      pks.add(pk(id, tenant));
    }
    return Optional.of(Schema.ID + " in " + MilvusExpressions.stringList(pks));
  }

  @Override
  public String idAfter(String id, Optional<String> tenant) {
    return Schema.ID + " > " + MilvusExpressions.string(pk(id, tenant));
  }

  @Override
  public Comparator<String> idOrder() {
    // Within one tenant every key starts with the same "tenant/", so the ids sort as the keys do.
    return MilvusCollection::compareCodePoints;
  }

  @Override
  public String exposedId(Object pk, Optional<String> tenant) {
    String s = String.valueOf(pk);
    if (tenant.isEmpty()) {
      return s;
    }
    String prefix = tenant.get() + Schema.TENANT_SEPARATOR;
    if (!s.startsWith(prefix)) {
      // Every expression of the handle is scoped to the tenant, so this would be a bug, never data of another tenant.
      throw new BackendException("Milvus returned key '" + s + "' outside tenant '" + tenant.get() + "' of '"
          + spec.name() + "'", null);
    }
    return s.substring(prefix.length());
  }
}
