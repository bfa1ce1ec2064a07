package dev.quiver;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A parsed store address: {@code scheme:rest?option=value&...}. Two shapes are understood:
 * {@code scheme://host[:port][/path]} (remote backends) and {@code scheme:path} (the local engine,
 * for example {@code local:./data} or {@code memory:}). Options are percent-decoded.
 *
 * <p>Secrecy is the default: every option value is treated as a secret and printed as {@code ***} by
 * {@link #toString()} (and so in every error message that names the address) unless the option is on
 * the short list of settings known to carry no credential ({@link #PUBLIC_OPTIONS}). A key passed
 * under any other name, {@code ?apiKey=}, {@code ?pwd=} or {@code ?x=}, is never shown. User info
 * before {@code @} is refused, and the text of an address that cannot be parsed is never echoed.
 */
public final class StoreUri {

  /**
   * Options whose values are printed: settings that carry no credential. Every other option's value
   * prints as {@code ***}.
   */
  public static final Set<String> PUBLIC_OPTIONS = Set.of(
      "database", "db", "tls", "cloud", "region", "indexHost", "namespace", "tenant",
      "timeoutMs", "timeoutSeconds", "deadlineMs", "freshnessTimeoutSeconds", "maxAttempts",
      "groupCommit", "snapshotOnClose", "snapshotThresholdBytes", "recover");

  private final String scheme;
  private final String host;
  private final int port;
  private final String path;
  private final Map<String, String> options;

  private StoreUri(String scheme, String host, int port, String path, Map<String, String> options) {
    this.scheme = scheme;
    this.host = host;
    this.port = port;
    this.path = path;
    this.options = options;
  }

  /**
   * @param uri for example {@code milvus://localhost:19530?token=...} or {@code local:./data}
   * @return the parsed address
   * @throws InvalidArgumentException if there is no scheme, or the port is not a number
   */
  public static StoreUri parse(String uri) {
    Check.notNull(uri, "store URI");
    int colon = uri.indexOf(':');
    if (colon < 1 || !uri.substring(0, colon).matches("[A-Za-z][A-Za-z0-9+.-]*")) {
      // never echo the text: a key pasted where the address belongs must not reach a log
      throw new InvalidArgumentException("store URI must start with a scheme such as 'local:' or 'milvus://'; got "
          + uri.length() + " characters without one");
    }
    String scheme = uri.substring(0, colon).toLowerCase(Locale.ROOT);
    String rest = uri.substring(colon + 1);
    Map<String, String> options = new LinkedHashMap<>();
    int q = rest.indexOf('?');
    if (q >= 0) {
      for (String pair : rest.substring(q + 1).split("&")) {
        if (pair.isEmpty()) {
          continue;
        }
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
        options.put(k, v);
      }
      rest = rest.substring(0, q);
    }
    String host = null;
    int port = -1;
    String path = rest;
    if (rest.startsWith("//")) {
      String authority = rest.substring(2);
      int slash = authority.indexOf('/');
      path = slash < 0 ? "" : authority.substring(slash);
      authority = slash < 0 ? authority : authority.substring(0, slash);
      int at = authority.lastIndexOf('@');
      if (at >= 0) {
        throw new InvalidArgumentException("put credentials in options (for example ?token=...), not before '@' in "
            + scheme + "://***@" + authority.substring(at + 1));
      }
      int portColon = authority.lastIndexOf(':');
      if (portColon >= 0 && !authority.endsWith("]")) {
        String p = authority.substring(portColon + 1);
        try {
          port = Integer.parseInt(p);
        } catch (NumberFormatException e) {
          throw new InvalidArgumentException("port '" + p + "' in store URI is not a number");
        }
        if (port < 1 || port > 65535) {
          throw new InvalidArgumentException("port " + port + " in store URI is out of range 1..65535");
        }
        authority = authority.substring(0, portColon);
      }
      host = authority.isEmpty() ? null : authority;
    }
    return new StoreUri(scheme, host, port, path, Collections.unmodifiableMap(options));
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  /**
   * @param name an option name
   * @return whether its value is printed; {@code false} for every option not in {@link #PUBLIC_OPTIONS}
   */
  public static boolean isPublicOption(String name) {
    return PUBLIC_OPTIONS.contains(name);
  }

  /**
   * The values of all options that are not public: what a store must never print. The boundary
   * ({@link dev.quiver.spi.AbstractVectorStore}) scrubs them from every message leaving a store.
   *
   * @return the secret values
   */
  public Set<Secret> secrets() {
    Set<Secret> out = new java.util.HashSet<>();
    options.forEach((k, v) -> {
      if (!isPublicOption(k) && !v.isEmpty()) {
        out.add(Secret.of(v));
      }
    });
    return Collections.unmodifiableSet(out);
  }

  /** @return the scheme, lower-cased */
  public String scheme() {
    return scheme;
  }

  /** @return the host of a {@code scheme://host...} address */
  public Optional<String> host() {
    return Optional.ofNullable(host);
  }

  /** @return the port, if one was given */
  public OptionalInt port() {
    return port < 0 ? OptionalInt.empty() : OptionalInt.of(port);
  }

  /** @return the path: what follows the authority, or everything after {@code scheme:} for the local shape */
  public String path() {
    return path;
  }

  /**
   * @param name an option name
   * @return its value, if given
   */
  public Optional<String> option(String name) {
    return Optional.ofNullable(options.get(name));
  }

  /**
   * @param name an option holding a credential
   * @return the credential, wrapped so it never prints
   */
  public Optional<Secret> secret(String name) {
    return option(name).filter(v -> !v.isEmpty()).map(Secret::of);
  }

  /** @return all option names */
  public Set<String> optionNames() {
    return options.keySet();
  }

  /** @return the address with credential options shown as {@code ***} */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(scheme).append(':');
    if (host != null || path.isEmpty() && port >= 0) {
      sb.append("//").append(host == null ? "" : host);
      if (port >= 0) {
        sb.append(':').append(port);
      }
    }
    // a path with user info ("milvus:user:pass@host") is printed without it
    int at = path.lastIndexOf('@');
    sb.append(at < 0 ? path : "***" + path.substring(at));
    char sep = '?';
    for (Map.Entry<String, String> e : options.entrySet()) {
      sb.append(sep).append(e.getKey()).append('=').append(isPublicOption(e.getKey()) ? e.getValue() : "***");
      sep = '&';
    }
    return sb.toString();
  }
}
