package dev.quiver.local;

import dev.quiver.local.internal.storage.StorageOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * Test-only access to package-private hooks of the durable store, for tests in other packages (the
 * storage layer's fault injection and crash harness live in {@code internal.storage}).
 */
public final class DurableTestAccess {

  private DurableTestAccess() {}

  /**
   * @param options file access and sizes (for example a fault-injecting StorageIO)
   * @return a builder that uses them
   */
  public static LocalVectorStore.Builder builder(Path dir, StorageOptions options) {
    return LocalVectorStore.builder(dir).storageOptions(options);
  }

  /** @return snapshots the store has written since it was opened */
  public static int snapshotsWritten(LocalVectorStore store) {
    return store.snapshotsWritten();
  }

  /** @return HNSW graphs restored from the snapshot, not rebuilt, when the store was opened */
  public static int graphsReused(LocalVectorStore store) {
    return store.graphsReused();
  }

  /** @return HNSW graphs rebuilt from records when the store was opened */
  public static int graphsRebuilt(LocalVectorStore store) {
    return store.graphsRebuilt();
  }

  /** @return what the storage found when the store was opened */
  public static dev.quiver.local.internal.storage.StoreStorage.RecoveryReport recoveryReport(LocalVectorStore store) {
    return store.storage().recoveryReport();
  }

  /** @return IVF indexes restored from the snapshot as saved when the store was opened */
  public static int ivfReused(LocalVectorStore store) {
    return store.ivfReused();
  }

  /** Makes every collection of the store search through its index whenever it has one, at any size and selectivity. */
  public static void searchThroughIndexes(LocalVectorStore store) {
    for (String name : store.listCollections()) {
      store.find(name).planner(new SearchPlanner(0));
    }
  }

  /** Writes a snapshot now. @return whether one was written */
  public static boolean snapshot(LocalVectorStore store) {
    return store.snapshot();
  }

  /** Deletes a directory tree, best effort. */
  public static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (java.util.stream.Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
