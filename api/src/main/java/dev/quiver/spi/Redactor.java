package dev.quiver.spi;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Removes a store's secret values from exception messages, whatever path produced them: a vendor
 * SDK that echoes a header value, a URL with a key in it. A foreign exception whose message (or any
 * cause's message) contains a secret is replaced by a {@link RedactedException} copy that keeps the
 * class name and stack trace.
 */
final class Redactor {

  private final List<String> secrets;

  Redactor(Set<String> secrets) {
    List<String> list = new ArrayList<>(secrets);
    list.sort(Comparator.comparingInt(String::length).reversed()); // longest first: one may contain another
    this.secrets = List.copyOf(list);
  }

  boolean isEmpty() {
    return secrets.isEmpty();
  }

  String scrub(String text) {
    if (text == null) {
      return null;
    }
    String out = text;
    for (String s : secrets) {
      if (out.contains(s)) {
        out = out.replace(s, "***");
      }
    }
    return out;
  }

  /** @return whether {@code t} or a cause (or suppressed exception) of it carries a secret */
  boolean leaks(Throwable t) {
    for (int depth = 0; t != null && depth < 32; t = t.getCause(), depth++) {
      String message = t.getMessage();
      if (message != null && !scrub(message).equals(message)) {
        return true;
      }
      for (Throwable s : t.getSuppressed()) {
        if (leaks(s)) {
          return true;
        }
      }
    }
    return false;
  }

  /** A copy of the chain with every message scrubbed; the types and stack traces are kept. */
  Throwable scrubbed(Throwable t) {
    if (t == null) {
      return null;
    }
    RedactedException copy = new RedactedException(t.getClass().getName() + ": " + scrub(t.getMessage()),
        scrubbed(t.getCause()));
    copy.setStackTrace(t.getStackTrace());
    for (Throwable s : t.getSuppressed()) {
      copy.addSuppressed(scrubbed(s));
    }
    return copy;
  }

  /** Stands in for an exception whose message carried a secret; its message names the original type. */
  static final class RedactedException extends RuntimeException {
    RedactedException(String message, Throwable cause) {
      super(message, cause, true, true);
    }
  }
}
