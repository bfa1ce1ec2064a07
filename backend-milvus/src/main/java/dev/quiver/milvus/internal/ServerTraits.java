package dev.quiver.milvus.internal;

import dev.quiver.FieldType;
import io.milvus.v2.common.IndexParam.IndexType;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the server in front of a store can do, decided once from its {@code GetVersion} answer.
 *
 * @param lite whether it is Milvus Lite 3.x (the Python re-implementation)
 * @param major major version of a real Milvus server (2 for {@code v2.3.5-lite}); for Lite and
 *     unparsable answers (Zilliz Cloud, builds from source) the newest behaviour is assumed
 * @param minor minor version
 * @param patch patch version
 */
public record ServerTraits(boolean lite, int major, int minor, int patch) {

  private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+).*");

  /**
   * @param version the server's version string ({@code milvus_lite-3.2.2}, {@code v2.3.5-lite}, {@code v2.6.4})
   * @return its traits
   */
  public static ServerTraits of(String version) {
    String v = version == null ? "" : version.toLowerCase(Locale.ROOT);
    boolean lite = v.startsWith("milvus_lite") || v.startsWith("milvus-lite");
    Matcher m = VERSION.matcher(v);
    if (lite || !m.matches()) {
      return new ServerTraits(lite, 99, 0, 0);
    }
    return new ServerTraits(false, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)));
  }

  private boolean atLeast(int ma, int mi, int pa) {
    if (major != ma) {
      return major > ma;
    }
    if (minor != mi) {
      return minor > mi;
    }
    return patch >= pa;
  }

  /**
   * Whether declared fields are nullable (a missing value is a null) rather than a placeholder plus the
   * {@value Schema#ABSENT} list. Only on Milvus Lite, whose null logic is Kleene's (verified by the kit):
   * real Milvus has nullable fields from 2.5 on, but how its filters treat nulls under {@code not} has
   * changed between releases and no such server runs in the tests, so real Milvus keeps the
   * presence-list scheme, which needs only two-valued comparisons of non-null fields.
   *
   * @return whether to declare fields nullable
   */
  public boolean nullableDeclaredFields() {
    return lite;
  }

  /**
   * Whether {@code upsert} puts rows into the partition of their partition key. Real Milvus before
   * 2.3.10 hashed the wrong field on upsert (milvus-io/milvus#30772), so a filter on the key did not
   * find the row (run on 2.3.5); there the tenant field is an ordinary indexed field.
   *
   * @return whether the tenant field may be a partition key
   */
  public boolean partitionKeyUpserts() {
    return lite || atLeast(2, 3, 10);
  }

  /**
   * @param type a declared field's type
   * @return the best scalar index this server builds on such a field, if any: {@code INVERTED} on Lite
   *     (not on arrays) and on real Milvus 2.4+, {@code Trie} (strings) and {@code STL_SORT} (numbers) on
   *     2.3; booleans and arrays have none before 2.4
   */
  public Optional<IndexType> scalarIndex(FieldType type) {
    if (lite) {
      return type == FieldType.STRING_LIST ? Optional.empty() : Optional.of(IndexType.INVERTED);
    }
    if (atLeast(2, 4, 0)) {
      return Optional.of(IndexType.INVERTED);
    }
    return switch (type) {
      case STRING -> Optional.of(IndexType.TRIE);
      case LONG, DOUBLE -> Optional.of(IndexType.STL_SORT);
      case BOOL, STRING_LIST -> Optional.empty();
    };
  }
}
