package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.milvus.internal.MilvusExpressions.Presence;
import dev.quiver.milvus.internal.MilvusExpressions.Target;
import dev.quiver.milvus.internal.MilvusExpressions.Typed;
import dev.quiver.milvus.internal.MilvusExpressions.Untagged;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Exact expressions for typed fields (declared or foreign) and untagged JSON keys (no server needed). */
class LayoutExpressionsTest {

  private static final String NEVER = "id < \"\"";
  private static final String P_PRESENT = "(not array_contains(__absent, \"p\"))";

  private static MilvusExpressions translator(Map<String, Target> targets) {
    return new MilvusExpressions(new MilvusExpressions.Keys() {
      @Override
      public Target target(String key) {
        return targets.getOrDefault(key, new MilvusExpressions.Tagged(Schema.META, Schema.TYPES));
      }

      @Override
      public String never() {
        return NEVER;
      }
    });
  }

  private static Typed absent(String key, FieldType type, Object placeholder) {
    return new Typed(key, key, type, Presence.ABSENT_LIST, placeholder, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  private static final MilvusExpressions REAL = translator(Map.of(
      "p", absent("p", FieldType.STRING, ""), "i", absent("i", FieldType.LONG, 0L),
      "flag", absent("flag", FieldType.BOOL, false), "tags", absent("tags", FieldType.STRING_LIST, List.of()),
      "small", new Typed("small", "small", FieldType.LONG, Presence.ALWAYS, null, -128, 127)));

  private static final MilvusExpressions LITE = translator(Map.of(
      "p", new Typed("p", "p", FieldType.STRING, Presence.NULLABLE, null, Long.MIN_VALUE, Long.MAX_VALUE)));

  private static final MilvusExpressions FOREIGN_JSON = translator(Map.of(
      "k", new Untagged(List.of("metadata", "$meta"), Set.of("id", "metadata"))));

  private static String real(String filter) {
    return REAL.of(Filter.parse(filter));
  }

  @Test
  void placeholdersAreGuardedOnlyWhereTheyWouldMatch() {
    assertEquals("(p == \"x\")", real("p == 'x'"), "'' cannot equal 'x': straight on the field");
    assertEquals("(" + P_PRESENT + " and (p == \"\"))", real("p == ''"));
    assertEquals("not ((p == \"x\"))", real("p != 'x'"), "a missing p is != 'x'");
    assertEquals("(i > 5)", real("i > 5"));
    assertEquals("((not array_contains(__absent, \"i\")) and (i < 5))", real("i < 5"));
    assertEquals("(i > 1)", real("i > 1.5"), "a double literal on an INT64 field becomes the exact long bound");
    assertEquals("(" + NEVER + ")", real("i == 1.5"));
    assertEquals("(" + NEVER + ")", real("p == 1"), "a literal of another type matches nothing");
    assertEquals("((not array_contains(__absent, \"flag\")) and (flag == false))", real("flag == false"));
    assertEquals("(array_contains(tags, \"a\"))", real("tags == 'a'"));
    assertEquals("(array_contains_any(tags, [\"a\", \"b\"]))", real("tags in ['a', 'b', 3]"));
    assertEquals("(p in [\"x\", \"y\"])", real("p in ['x', 'y', true]"));
    assertEquals("((not array_contains(__absent, \"i\")) and ((i == 0) or (i == 7)))", real("i in [0, 7, 'z', 2.5]"));
    assertEquals(P_PRESENT, real("exists(p)"));
  }

  @Test
  void narrowIntegerFieldsFoldLiteralsBeyondTheirRange() {
    assertEquals("not (" + NEVER + ")", real("small < 1000"));
    assertEquals("(" + NEVER + ")", real("small > 1e6"));
    assertEquals("(small >= -3)", real("small >= -3"));
  }

  @Test
  void nullableFieldsAlwaysTestPresence() {
    assertEquals("((p is not null) and (p == \"x\"))", LITE.of(Filter.parse("p == 'x'")));
    assertEquals("not (((p is not null) and (p == \"x\")))", LITE.of(Filter.parse("p != 'x'")));
    assertEquals("(p is not null)", LITE.of(Filter.parse("exists(p)")));
  }

  @Test
  void untaggedJsonKeysAreGuardedByExistsInEverySource() {
    assertEquals("((((exists metadata[\"k\"]) and (metadata[\"k\"] == \"a\" or json_contains(metadata[\"k\"], \"a\"))))"
        + " or (((exists k) and (k == \"a\" or json_contains(k, \"a\")))))", FOREIGN_JSON.of(Filter.parse("k == 'a'")));
    assertEquals("(((exists metadata[\"k\"])) or ((exists k)))", FOREIGN_JSON.of(Filter.parse("exists(k)")));
  }
}
