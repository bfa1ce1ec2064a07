package dev.quiver.milvus.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Upsert batches stay under the row and byte limits and cover every row once, in order. */
class BatchingTest {

  private static String ranges(List<int[]> batches) {
    List<String> out = new ArrayList<>();
    for (int[] b : batches) {
      out.add(b[0] + "-" + b[1]);
    }
    return String.join(",", out);
  }

  @Test
  void byRowsAndBytes() {
    assertEquals("0-3,3-6,6-7", ranges(MilvusCollection.batches(Collections.nCopies(7, 10L), 3, 1000)));
    assertEquals("0-2,2-4,4-5", ranges(MilvusCollection.batches(Collections.nCopies(5, 10L), 100, 25)));
    assertEquals("0-1,1-2,2-4", ranges(MilvusCollection.batches(List.of(50L, 100L, 10L, 10L), 100, 40)),
        "an oversize row goes alone");
    assertEquals("", ranges(MilvusCollection.batches(List.of(), 3, 10)));
    assertEquals("0-5000,5000-10000,10000-12000", ranges(MilvusCollection.batches(Collections.nCopies(12_000, 100L),
        MilvusCollection.MAX_BATCH_ROWS, MilvusCollection.MAX_BATCH_BYTES)));
  }
}
