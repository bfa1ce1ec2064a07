package dev.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The api-level findings of the hardening review, each as a regression test. */
class HardeningRegressionTest {

  @Test
  @DisplayName("every URI option is secret unless it is a known public setting, whatever it is called")
  void secretsByDefault() {
    StoreUri u = StoreUri.parse("milvus://h:1?myPassphrase=hunter2&x=abc123&database=db1&token=t0k");
    String printed = u.toString();
    assertFalse(printed.contains("hunter2"), printed);
    assertFalse(printed.contains("abc123"), printed);
    assertFalse(printed.contains("t0k"), printed);
    assertTrue(printed.contains("database=db1"), printed);
    assertEquals(3, u.secrets().size());
  }

  @Test
  @DisplayName("an address without a scheme or with user info is never echoed")
  void addressesNotEchoed() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class, () -> StoreUri.parse("pc-SECRETKEY123"));
    assertFalse(e.getMessage().contains("SECRETKEY123"), e.getMessage());
    StoreUri u = StoreUri.parse("milvus:user:SECRETKEY123@host");
    assertFalse(u.toString().contains("SECRETKEY123"), u.toString());
    InvalidArgumentException unknown = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("nosuch:user:SECRETKEY123@host?anything=SECRETKEY456"));
    assertFalse(unknown.getMessage().contains("SECRETKEY"), unknown.getMessage());
  }

  @Test
  @DisplayName("HNSW efConstruction, ef, topK and nlist have upper limits instead of failing later with OutOfMemoryError")
  void limits() {
    assertThrows(InvalidArgumentException.class, () -> IndexSpec.hnsw(16, Integer.MAX_VALUE));
    assertThrows(InvalidArgumentException.class, () -> IndexSpec.ivfFlat(Integer.MAX_VALUE));
    SearchRequest r = SearchRequest.of(new float[] {1f}, 10);
    assertThrows(InvalidArgumentException.class, () -> r.ef(Integer.MAX_VALUE));
    assertThrows(InvalidArgumentException.class, () -> r.nprobe(Integer.MAX_VALUE));
    assertThrows(InvalidArgumentException.class, () -> SearchRequest.of(new float[] {1f}, Integer.MAX_VALUE));
    assertEquals(4096, ((IndexSpec.Hnsw) IndexSpec.hnsw(16, IndexSpec.Hnsw.MAX_EF_CONSTRUCTION)).efConstruction());
  }

  @Test
  @DisplayName("strings with an unpaired surrogate are refused in metadata, lists and filter literals (UTF-8 cannot store them)")
  void loneSurrogates() {
    String bad = "a\uD800b";
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", bad));
    assertThrows(InvalidArgumentException.class, () -> Metadata.of("k", List.of("ok", bad)));
    assertThrows(InvalidFilterException.class, () -> Filter.eq("k", bad));
    assertThrows(InvalidFilterException.class, () -> Filter.parse("k == '\\ud800'"));
    assertEquals("\uD83D\uDE00", Metadata.of("k", "\uD83D\uDE00").get("k").orElseThrow()); // a pair is fine
  }

  @Test
  @DisplayName("an error message is bounded, however large the input it describes")
  void boundedMessages() {
    String huge = "x".repeat(10_000_000);
    InvalidArgumentException e = new InvalidArgumentException("bad value '" + huge + "'");
    assertTrue(e.getMessage().length() < VectorStoreException.MAX_MESSAGE_LENGTH + 100, "" + e.getMessage().length());
    assertTrue(e.getMessage().endsWith("more characters)"), e.getMessage().substring(e.getMessage().length() - 40));
  }

  @Test
  @DisplayName("chaining and() 100,000 times is refused at the node limit instead of taking minutes")
  void longChains() {
    Filter f = Filter.eq("a", 0);
    InvalidFilterException refused = null;
    int i = 1;
    for (; i < 100_000; i++) {
      try {
        f = f.and(Filter.eq("a", i));
      } catch (InvalidFilterException e) {
        refused = e;
        break;
      }
    }
    assertTrue(refused != null && refused.getMessage().contains("nodes"), "refused at " + i);
    assertTrue(i > Filter.MAX_NODES - 8 && i <= Filter.MAX_NODES, "refused at " + i);
    List<Object> many = new ArrayList<>();
    for (int j = 0; j <= Filter.MAX_IN_VALUES; j++) {
      many.add((long) j);
    }
    assertThrows(InvalidFilterException.class, () -> Filter.in("a", many));
  }

  @Test
  @DisplayName("every filter node dispatches to exactly its visitor method")
  void visitor() {
    Filter f = Filter.parse("a == 1 and (b in ['x'] or not exists(c))");
    String shape = f.accept(new Filter.Visitor<String>() {
      @Override
      public String comparison(Filter.Comparison c) {
        return "cmp";
      }

      @Override
      public String in(Filter.In in) {
        return "in";
      }

      @Override
      public String exists(Filter.Exists e) {
        return "exists";
      }

      @Override
      public String not(Filter.Not not) {
        return "not(" + not.operand().accept(this) + ")";
      }

      @Override
      public String and(Filter.And and) {
        return "and" + and.operands().stream().map(o -> o.accept(this)).toList();
      }

      @Override
      public String or(Filter.Or or) {
        return "or" + or.operands().stream().map(o -> o.accept(this)).toList();
      }
    });
    assertEquals("and[cmp, or[in, not(exists)]]", shape);
  }
}
