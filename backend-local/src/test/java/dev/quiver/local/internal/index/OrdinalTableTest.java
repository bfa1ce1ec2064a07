package dev.quiver.local.internal.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ordinal table across its chunk boundaries (chunks double from 64 ordinals), and under concurrent writers. */
class OrdinalTableTest {

  @Test
  void everyOrdinalAroundEveryChunkBoundaryHoldsItsOwnValue() {
    OrdinalTable<Integer> t = new OrdinalTable<>();
    List<Integer> ords = new ArrayList<>();
    for (int k = 0; k <= 25; k++) {
      long start = 64L * ((1L << k) - 1);
      for (long o = start - 2; o <= start + 2; o++) {
        if (o >= 0 && o <= Integer.MAX_VALUE && o < (1 << 20)) { // large chunks are not allocated in a unit test
          ords.add((int) o);
        }
      }
    }
    for (int o : ords) {
      assertNull(t.get(o));
      t.set(o, o);
    }
    for (int o : ords) {
      assertEquals(o, t.get(o));
      assertFalse(t.setIfAbsent(o, -1));
      t.set(o, null);
      assertNull(t.get(o));
      assertTrue(t.setIfAbsent(o, o + 1));
      assertEquals(o + 1, t.get(o));
    }
    assertNull(t.get(Integer.MAX_VALUE), "an ordinal of a chunk never made");
    assertNull(t.get(5_000_000));
  }

  @Test
  void concurrentWritersOfDisjointOrdinalsLoseNothing() throws Exception {
    OrdinalTable<Integer> t = new OrdinalTable<>();
    int threads = 4;
    int per = 50_000;
    List<Thread> ws = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      int first = w;
      ws.add(new Thread(() -> {
        for (int i = 0; i < per; i++) {
          int o = i * threads + first;
          t.set(o, o);
        }
      }));
    }
    ws.forEach(Thread::start);
    for (Thread w : ws) {
      w.join();
    }
    for (int o = 0; o < threads * per; o++) {
      assertEquals(o, t.get(o), "ordinal " + o);
    }
  }
}
