package dev.quiver.qdrant;

import dev.quiver.InvalidArgumentException;
import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import dev.quiver.spi.VectorStoreProvider;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Opens Qdrant stores for {@code qdrant://host[:6334]} (TLS unless the host is a loopback address)
 * and {@code qdrant+tls://host[:6334]} (always TLS). Options: {@code apiKey} (never printed),
 * {@code tls=true|false}, {@code timeoutMs}, {@code maxAttempts}.
 */
public final class QdrantVectorStoreProvider implements VectorStoreProvider {

  private static final Set<String> OPTIONS = Set.of("apiKey", "tls", "timeoutMs", "maxAttempts");
  private static final Pattern WORD = Pattern.compile("[A-Za-z]{1,32}");

  @Override
  public Set<String> schemes() {
    return Set.of("qdrant", "qdrant+tls");
  }

  @Override
  public VectorStore open(StoreUri uri) {
    for (String o : uri.optionNames()) {
      if (!OPTIONS.contains(o)) {
        // the name is shown only when it looks like a word: a key pasted as "?<key>" must not print
        String shown = WORD.matcher(o).matches() ? "'" + o + "'" : "(name not shown: it is no option name)";
        throw new InvalidArgumentException("unknown option " + shown + " in a Qdrant address; known: " + OPTIONS);
      }
    }
    if (!uri.path().isEmpty() && !uri.path().equals("/")) {
      throw new InvalidArgumentException("a Qdrant address has no path (" + uri.path().length() + " characters given)");
    }
    QdrantVectorStore.Builder b = QdrantVectorStore.builder().secrets(uri.secrets())
        .host(uri.host().orElseThrow(() -> new InvalidArgumentException("a Qdrant address needs a host: " + uri)));
    uri.port().ifPresent(b::port);
    uri.secret("apiKey").ifPresent(b::apiKey);
    if (uri.scheme().equals("qdrant+tls")) {
      if (uri.option("tls").filter(v -> v.equalsIgnoreCase("false")).isPresent()) {
        throw new InvalidArgumentException("qdrant+tls: and tls=false contradict each other in " + uri);
      }
      b.tls(true);
    } else {
      uri.option("tls").ifPresent(v -> b.tls(bool(v, uri)));
    }
    uri.option("timeoutMs").ifPresent(v -> b.timeout(Duration.ofMillis(number(v, "timeoutMs", uri))));
    uri.option("maxAttempts").ifPresent(v -> b.maxAttempts((int) number(v, "maxAttempts", uri)));
    return b.build();
  }

  private static boolean bool(String v, StoreUri uri) {
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new InvalidArgumentException("option tls must be true or false in " + uri);
  }

  private static long number(String v, String name, StoreUri uri) {
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("option " + name + " must be a whole number in " + uri);
    }
  }
}
