package dev.quiver.local;

import dev.quiver.IndexSpec;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The conformance kit against a durable store of IVF-PQ collections that is closed and reopened from
 * its directory before every read that follows a write ({@link ReopeningStore}): every search, get, count
 * and list of the kit is answered by a store rebuilt from the snapshot written at close and the log, so
 * the IVF indexes it searches are the ones restored from disk. Searches go through the index whenever it
 * is trained, and the recall floor is the one of {@link LocalIvfPqConformanceTest}. Report
 * {@code local-durable-ivf-pq}.
 */
class LocalDurableIvfPqConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    try {
      return new ReopeningStore(LocalDurableConformanceTest.TestDirs.fresh("ivfkit"), new SearchPlanner(0));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return new ReopeningStore(((ReopeningStore) closed).directory(), new SearchPlanner(0));
  }

  @Override
  protected IndexSpec indexForTests() {
    return IndexSpec.ivfPq(8, 4, 4);
  }

  @Override
  protected double annRecallFloor() {
    return new LocalIvfPqConformanceTest().annRecallFloor();
  }

  @org.junit.jupiter.api.AfterAll
  static void report() {
    System.out.println("reopening store: " + ReopeningStore.REOPENS.get() + " reopens, "
        + ReopeningStore.IVF_RESTORED.get() + " trained IVF indexes restored from snapshots");
    org.junit.jupiter.api.Assertions.assertTrue(ReopeningStore.IVF_RESTORED.get() > 0, "the kit read restored indexes");
  }

  @Override
  protected String reportName() {
    return "local-durable-ivf-pq";
  }
}
