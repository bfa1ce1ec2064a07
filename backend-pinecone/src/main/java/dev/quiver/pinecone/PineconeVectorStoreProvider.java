package dev.quiver.pinecone;

import dev.quiver.InvalidArgumentException;
import dev.quiver.Secret;
import dev.quiver.StoreUri;
import dev.quiver.VectorStore;
import dev.quiver.spi.RemotePolicy;
import dev.quiver.spi.VectorStoreProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Opens {@link PineconeVectorStore}s for {@code pinecone:} addresses.
 *
 * <ul>
 *   <li>{@code pinecone://?apiKey=...&cloud=aws&region=us-east-1} — Pinecone's public control plane;</li>
 *   <li>{@code pinecone://localhost:PORT?apiKey=x&tls=false} — a control plane on this machine (an emulator);
 *       plain HTTP is refused for other hosts.</li>
 * </ul>
 * Options: {@code apiKey} (else the environment variable {@code QUIVER_PINECONE_API_KEY}, then
 * {@code PINECONE_API_KEY}), {@code cloud}, {@code region}, {@code tls} ({@code true}/{@code false}),
 * {@code indexHost}, {@code timeoutSeconds} (the deadline of one call, retries included: the call budget of
 * the shared {@link RemotePolicy}, and the longest a single attempt may take), {@code maxAttempts} (of
 * idempotent calls, 1..10), {@code freshnessTimeoutSeconds}, {@code namespace} (where indexes made outside Quiver
 * are read and written; see {@link PineconeVectorStore.Builder#namespace(String)}). Unknown options are an error.
 */
public final class PineconeVectorStoreProvider implements VectorStoreProvider {

  private static final Set<String> OPTIONS = Set.of("apiKey", "cloud", "region", "tls", "indexHost",
      "timeoutSeconds", "maxAttempts", "freshnessTimeoutSeconds", "namespace");

  private final Function<String, String> env;

  /** Uses the process environment for the API key fallback. */
  public PineconeVectorStoreProvider() {
    this(System::getenv);
  }

  PineconeVectorStoreProvider(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public Set<String> schemes() {
    return Set.of("pinecone");
  }

  /**
   * Opens the store. Every refusal names options, never their values: the boundary of the store
   * that would scrub the key does not exist yet, so this method scrubs its own messages.
   */
  @Override
  public VectorStore open(StoreUri uri) {
    Set<String> secrets = new HashSet<>();
    uri.secrets().forEach(s -> secrets.add(s.reveal()));
    envKey().ifPresent(secrets::add);
    try {
      return openChecked(uri);
    } catch (InvalidArgumentException e) {
      String message = scrub(e.getMessage(), secrets);
      throw message.equals(e.getMessage()) ? e : new InvalidArgumentException(message);
    }
  }

  private static String scrub(String text, Set<String> secrets) {
    List<String> longestFirst = new ArrayList<>(secrets); // one secret may contain another
    longestFirst.sort(Comparator.comparingInt(String::length).reversed());
    String out = String.valueOf(text);
    for (String s : longestFirst) {
      out = out.replace(s, "***");
    }
    return out;
  }

  private Optional<String> envKey() {
    for (String var : new String[] {"QUIVER_PINECONE_API_KEY", "PINECONE_API_KEY"}) {
      String v = env.apply(var);
      if (v != null && !v.isBlank()) {
        return Optional.of(v.trim());
      }
    }
    return Optional.empty();
  }

  private VectorStore openChecked(StoreUri uri) {
    Set<String> unknown = new TreeSet<>(uri.optionNames());
    unknown.removeAll(OPTIONS);
    if (!unknown.isEmpty()) {
      throw new InvalidArgumentException("unknown option(s) " + unknown + " in " + uri + "; known: " + new TreeSet<>(OPTIONS));
    }
    if (!uri.path().isEmpty() && !uri.path().equals("/")) {
      throw new InvalidArgumentException("a pinecone: address takes no path (pinecone://[host:port]?options)");
    }
    Secret key = uri.secret("apiKey").or(() -> envKey().map(Secret::of)).orElseThrow(() ->
        new InvalidArgumentException("no Pinecone API key: add ?apiKey=... to " + uri
            + " or set QUIVER_PINECONE_API_KEY (or PINECONE_API_KEY)"));
    boolean tls = bool(uri, "tls", true);
    PineconeVectorStore.Builder b = PineconeVectorStore.builder().apiKey(key).tls(tls);
    if (uri.host().isPresent()) {
      String host = uri.host().get();
      b.controlPlaneUrl((tls ? "https://" : "http://") + host + (uri.port().isPresent() ? ":" + uri.port().getAsInt() : ""));
    } else if (!tls) {
      throw new InvalidArgumentException("tls=false needs a local host (pinecone://localhost:PORT?...); Pinecone's "
          + "public API is https only");
    }
    uri.option("cloud").ifPresent(b::cloud);
    uri.option("region").ifPresent(b::region);
    uri.option("indexHost").ifPresent(b::indexHost);
    uri.option("namespace").ifPresent(b::namespace);
    RemotePolicy policy = RemotePolicy.DEFAULT;
    if (uri.option("timeoutSeconds").isPresent()) {
      Duration deadline = Duration.ofSeconds(number(uri.option("timeoutSeconds").get(), "timeoutSeconds"));
      b.timeouts(Duration.ofSeconds(10), deadline);
      policy = policy.withCallBudget(deadline);
    }
    if (uri.option("maxAttempts").isPresent()) {
      policy = policy.withMaxAttempts((int) number(uri.option("maxAttempts").get(), "maxAttempts"));
    }
    b.remotePolicy(policy);
    uri.option("freshnessTimeoutSeconds").ifPresent(s -> b.freshnessTimeout(Duration.ofSeconds(number(s, "freshnessTimeoutSeconds"))));
    return b.build();
  }

  private static boolean bool(StoreUri uri, String name, boolean dflt) {
    String v = uri.option(name).orElse(null);
    if (v == null) {
      return dflt;
    }
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new InvalidArgumentException("option " + name + " must be true or false, got '" + v + "'");
    };
  }

  /** Largest number an option takes: a day in seconds, far beyond any useful timeout. */
  private static final long MAX_NUMBER = 86_400;

  private static long number(String v, String name) {
    try {
      long n = Long.parseLong(v);
      if (n < 0 || n > MAX_NUMBER) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new InvalidArgumentException("option " + name + " must be a whole number from 0 to " + MAX_NUMBER + ", got '"
          + v + "'");
    }
  }

  /** @return the options this provider understands */
  static Set<String> options() {
    return OPTIONS;
  }

}
