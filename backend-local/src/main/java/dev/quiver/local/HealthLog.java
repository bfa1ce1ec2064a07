package dev.quiver.local;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the events behind {@link LocalVectorStore#health()} and logs each one at WARNING.
 * Thread-safe.
 */
final class HealthLog {

  /** The engine's logger. */
  static final System.Logger LOG = System.getLogger("dev.quiver.local");

  private final ArrayDeque<LocalHealth.Event> events = new ArrayDeque<>();
  private boolean degraded;

  /**
   * Records an event and logs it at WARNING.
   *
   * @param kind what happened
   * @param message what to tell the user
   * @param cause the exception behind it, or null
   */
  void warn(LocalHealth.Kind kind, String message, Throwable cause) {
    if (cause == null) {
      LOG.log(System.Logger.Level.WARNING, message);
    } else {
      LOG.log(System.Logger.Level.WARNING, message, cause);
    }
    synchronized (this) {
      degraded = true;
      events.addLast(new LocalHealth.Event(Instant.now(), kind, message));
      while (events.size() > LocalHealth.MAX_EVENTS) {
        events.removeFirst();
      }
    }
  }

  /** @return the current health */
  synchronized LocalHealth health() {
    List<LocalHealth.Event> copy = new ArrayList<>(events);
    return new LocalHealth(degraded ? LocalHealth.Status.DEGRADED : LocalHealth.Status.OK, copy);
  }
}
