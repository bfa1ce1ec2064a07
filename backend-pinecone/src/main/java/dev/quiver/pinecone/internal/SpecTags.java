package dev.quiver.pinecone.internal;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.MetadataField;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a {@link CollectionSpec} that Pinecone does not keep itself, kept in the index's tags
 * (Pinecone's only free-form index properties: keys of at most 80 characters, values of at most 120
 * from {@code [A-Za-z0-9;@_.+ -]}):
 *
 * <ul>
 *   <li>{@value #INDEX_TAG}: the index spec, {@code hnsw-<m>-<efConstruction>}. Every index Quiver creates
 *       has it, so its presence is what tells Quiver's indexes from foreign ones;</li>
 *   <li>{@value #FIELDS_TAG} ({@value #FIELDS_TAG}2, ... past 120 characters): the declared fields,
 *       {@code name.TI} joined by {@code ;}, where T is the type (S string, L long, D double, B bool,
 *       T list of strings) and I is 1 when indexed, 0 when not;</li>
 *   <li>{@value #UNDECLARED_TAG} = {@code refused}: when only declared keys are allowed;</li>
 *   <li>{@value #TENANTS_TAG} = {@code namespaces}: when the collection is multi-tenant.</li>
 * </ul>
 */
public final class SpecTags {

  /** The index spec; present on every index Quiver created. */
  public static final String INDEX_TAG = "quiver_index";
  /** The declared fields (continued in numbered tags). */
  public static final String FIELDS_TAG = "quiver_fields";
  /** Present when undeclared metadata keys are refused. */
  public static final String UNDECLARED_TAG = "quiver_undeclared";
  /** Present when the collection keeps its records in tenants (namespaces). */
  public static final String TENANTS_TAG = "quiver_tenants";
  /** What an index without an index tag (made outside Quiver) describes as: "Pinecone's own ANN index". */
  public static final IndexSpec DEFAULT_INDEX = IndexSpec.hnsw(16, 200);

  private static final int VALUE_MAX = 120;
  private static final Pattern HNSW_TAG = Pattern.compile("hnsw-(\\d{1,3})-(\\d{1,9})");
  private static final Pattern FIELD = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)\\.([SLDBT])([01])");

  private SpecTags() {}

  /**
   * @param tags an index's tags
   * @return whether Quiver created the index
   */
  public static boolean isQuiver(Map<String, String> tags) {
    return tags.containsKey(INDEX_TAG);
  }

  /**
   * @param spec a new collection's spec
   * @return the tags that keep what Pinecone does not (the name tags of {@link Names} come on top)
   */
  public static Map<String, String> encode(CollectionSpec spec) {
    Map<String, String> out = new LinkedHashMap<>();
    IndexSpec.Hnsw h = (IndexSpec.Hnsw) spec.index(); // the only kind createCollection lets through
    out.put(INDEX_TAG, "hnsw-" + h.m() + "-" + h.efConstruction());
    if (!spec.fields().isEmpty()) {
      List<String> parts = new ArrayList<>();
      for (MetadataField f : spec.fields()) {
        parts.add(f.name() + "." + code(f.type()) + (f.indexed() ? "1" : "0"));
      }
      String all = String.join(";", parts);
      for (int i = 0, n = 1; i < all.length(); i += VALUE_MAX, n++) {
        out.put(n == 1 ? FIELDS_TAG : FIELDS_TAG + n, all.substring(i, Math.min(all.length(), i + VALUE_MAX)));
      }
    }
    if (!spec.undeclaredKeysAllowed()) {
      out.put(UNDECLARED_TAG, "refused");
    }
    if (spec.multiTenant()) {
      out.put(TENANTS_TAG, "namespaces");
    }
    return out;
  }

  /**
   * @param builder a spec builder with name, dimension and metric set
   * @param tags the tags of an index Quiver created
   * @return the builder with the index, declared fields and options the tags keep
   * @throws InvalidArgumentException if the field tags are damaged
   */
  public static CollectionSpec.Builder decode(CollectionSpec.Builder builder, Map<String, String> tags) {
    builder.index(parseIndex(tags.get(INDEX_TAG)));
    StringBuilder all = new StringBuilder(tags.getOrDefault(FIELDS_TAG, ""));
    for (int n = 2; tags.containsKey(FIELDS_TAG + n); n++) {
      all.append(tags.get(FIELDS_TAG + n));
    }
    List<MetadataField> fields = new ArrayList<>();
    if (all.length() > 0) {
      for (String part : all.toString().split(";")) {
        Matcher m = FIELD.matcher(part);
        if (!m.matches()) {
          throw new InvalidArgumentException("the index tag '" + FIELDS_TAG + "' is damaged near '" + part
              + "'; was it edited outside Quiver?");
        }
        fields.add(new MetadataField(m.group(1), type(m.group(2).charAt(0)), m.group(3).equals("1")));
      }
    }
    return builder.fields(fields).undeclaredKeysAllowed(!tags.containsKey(UNDECLARED_TAG))
        .multiTenant(tags.containsKey(TENANTS_TAG));
  }

  static IndexSpec parseIndex(String tag) {
    Matcher m = tag == null ? null : HNSW_TAG.matcher(tag);
    if (m == null || !m.matches()) {
      return DEFAULT_INDEX;
    }
    try {
      return IndexSpec.hnsw(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    } catch (InvalidArgumentException e) {
      return DEFAULT_INDEX;
    }
  }

  private static char code(FieldType t) {
    return switch (t) {
      case STRING -> 'S';
      case LONG -> 'L';
      case DOUBLE -> 'D';
      case BOOL -> 'B';
      case STRING_LIST -> 'T';
    };
  }

  private static FieldType type(char c) {
    return switch (c) {
      case 'S' -> FieldType.STRING;
      case 'L' -> FieldType.LONG;
      case 'D' -> FieldType.DOUBLE;
      case 'B' -> FieldType.BOOL;
      default -> FieldType.STRING_LIST;
    };
  }
}
