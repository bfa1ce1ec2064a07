package dev.quiver.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver demo}: semantic search over real text (Debian's package descriptions, embedded with
 * all-MiniLM-L6-v2 into a durable embedded store, cached for later runs) — or, with
 * {@code --synthetic}, filtered searches over random vectors on any store.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Search real text by meaning on the embedded engine: a few thousand Debian package descriptions,",
        "embedded on the first run (cached), then natural-language queries with and without filters.",
        "--synthetic: the filter demo on random vectors instead (any store)."})
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--synthetic", description = "Random vectors with typed metadata and filtered searches instead of real text.")
  boolean synthetic;

  @Option(names = "--documents", description = "Text demo: package descriptions to search (default: ${DEFAULT-VALUE}).",
      defaultValue = "2000")
  int documents;

  @Option(names = "--corpus", description = "Text demo: a JSON Lines corpus (id, title, content, tags, tenant) instead of "
      + "Debian's package descriptions.")
  Path corpus;

  @Option(names = "--cache-dir", description = "Text demo: where the corpus, the store and the checkpoint are cached "
      + "(default: $XDG_CACHE_HOME/quiver/demo, else ~/.cache/quiver/demo).")
  Path cacheDir;

  @Option(names = "--store", description = "Synthetic demo: store address (default: ${DEFAULT-VALUE}).", defaultValue = "memory:")
  String store;

  @Option(names = "--records", description = "Synthetic demo: records to load (default: ${DEFAULT-VALUE}).", defaultValue = "5000")
  int records;

  @Option(names = "--dimension", description = "Synthetic demo: vector dimension (default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int dimension;

  @Option(names = "--seed", description = "Synthetic demo: random seed (default: ${DEFAULT-VALUE}).", defaultValue = "42")
  long seed;

  @Override
  public Integer call() {
    if (synthetic) {
      return SyntheticDemo.run(store, records, dimension, seed);
    }
    return new TextDemo(documents, corpus, cacheDir == null ? TextDemo.defaultCacheDir() : cacheDir).run();
  }
}
