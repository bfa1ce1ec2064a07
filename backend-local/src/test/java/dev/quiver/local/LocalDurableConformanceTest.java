package dev.quiver.local;

import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The conformance kit against a durable {@code local:<dir>} store, each test in a fresh directory;
 * the kit's durability case closes the store and reopens the same directory. Report {@code local-durable}.
 */
class LocalDurableConformanceTest extends VectorStoreConformanceKit {

  @Override
  protected VectorStore createStore() {
    try {
      return LocalVectorStore.open(TestDirs.fresh("kit"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    Path dir = TestDirs.directoryOf(closed);
    return LocalVectorStore.open(dir);
  }

  @Override
  protected String reportName() {
    return "local-durable";
  }

  /** Temporary store directories, removed when the test JVM exits. */
  static final class TestDirs {
    private static final java.util.Map<VectorStore, Path> DIRS =
        java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
    private static Path root;

    private TestDirs() {}

    static synchronized Path fresh(String prefix) throws IOException {
      if (root == null) {
        root = Files.createTempDirectory("quiver-durable-kit");
        Path r = root;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> DurableTestAccess.deleteTree(r)));
      }
      return Files.createTempDirectory(root, prefix);
    }

    static Path directoryOf(VectorStore store) {
      return ((LocalVectorStore) store).directory().orElseThrow();
    }
  }
}
