package dev.quiver.local;

import dev.quiver.InvalidArgumentException;
import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import dev.quiver.spi.VectorStoreProvider;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Opens the embedded engine for {@code memory:} and {@code local:} addresses:
 * <ul>
 *   <li>{@code memory:} and {@code local:} (no path) — an in-memory store ({@link LocalVectorStore#inMemory()});
 *   <li>{@code local:<path>} — a durable store in that directory, created if needed
 *       ({@link LocalVectorStore#builder(Path)}). Options: {@code groupCommit=true|false} (default true),
 *       {@code snapshotThresholdBytes=<n>} (default 64 MiB; 0 = no automatic snapshots),
 *       {@code snapshotOnClose=true|false} (default true),
 *       {@code recover=strict|truncate} (default strict: a damaged write-ahead log entry makes opening
 *       fail; truncate: the log is truncated there and the loss reported, see
 *       {@link LocalVectorStore.Builder#recoverByTruncating}). For example
 *       {@code local:./data?groupCommit=false}.
 * </ul>
 * Unknown options of a {@code local:<path>} address are refused with {@link InvalidArgumentException},
 * so a typo never goes unnoticed.
 */
public final class LocalVectorStoreProvider implements VectorStoreProvider {

  private static final Set<String> DURABLE_OPTIONS =
      Set.of("groupCommit", "snapshotThresholdBytes", "snapshotOnClose", "recover");

  @Override
  public Set<String> schemes() {
    return Set.of("memory", "local");
  }

  @Override
  public VectorStore open(StoreUri uri) {
    if (uri.scheme().equals("local") && !uri.path().isEmpty()) {
      for (String name : uri.optionNames()) {
        if (!DURABLE_OPTIONS.contains(name)) {
          throw new InvalidArgumentException("unknown option '" + name + "' for a local:<path> store; known: "
              + String.join(", ", new java.util.TreeSet<>(DURABLE_OPTIONS)));
        }
      }
      LocalVectorStore.Builder b = LocalVectorStore.builder(Path.of(uri.path()));
      uri.option("groupCommit").ifPresent(v -> b.groupCommit(bool("groupCommit", v)));
      uri.option("snapshotOnClose").ifPresent(v -> b.snapshotOnClose(bool("snapshotOnClose", v)));
      uri.option("recover").ifPresent(v -> {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
          case "strict" -> b.recoverByTruncating(false);
          case "truncate" -> b.recoverByTruncating(true);
          default -> throw new InvalidArgumentException("option recover must be strict or truncate, got '" + v + "'");
        }
      });
      uri.option("snapshotThresholdBytes").ifPresent(v -> {
        try {
          b.snapshotThresholdBytes(Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
          throw new InvalidArgumentException("option snapshotThresholdBytes must be a number of bytes, got '" + v + "'");
        }
      });
      return b.open();
    }
    return LocalVectorStore.inMemory();
  }

  private static boolean bool(String name, String v) {
    switch (v.trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw new InvalidArgumentException("option " + name + " must be true or false, got '" + v + "'");
    }
  }
}
