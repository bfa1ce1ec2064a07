package dev.quiver.local;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link LocalVectorStore} has run into since it was opened that did not stop it, but that its
 * owner should know about: a damaged write-ahead log it was told to truncate, a saved HNSW graph it
 * could not use (and rebuilt), a background snapshot that failed. Returned by
 * {@link LocalVectorStore#health()}; an immutable snapshot of the moment it was asked for.
 *
 * <p>Every event is also logged at {@code WARNING} through {@link System.Logger} (logger name
 * {@code dev.quiver.local}). Events are kept until the store is closed (the most recent
 * {@value #MAX_EVENTS}); the status stays {@link Status#DEGRADED} from the first event on. An
 * in-memory store is always {@link Status#OK}.
 *
 * @param status {@link Status#OK} when nothing happened, {@link Status#DEGRADED} otherwise
 * @param events what happened, oldest first
 */
public record LocalHealth(Status status, List<Event> events) {

  /** How many events are kept; older ones are dropped (the status is not). */
  public static final int MAX_EVENTS = 100;

  /** The overall state. */
  public enum Status {
    /** Nothing went wrong since the store was opened. */
    OK,
    /**
     * Something went wrong that the store worked around: it serves reads and writes and keeps its
     * durability guarantees for what it acknowledges, but data may have been lost before it was opened
     * ({@link Kind#LOG_TRUNCATED}), or it is slower or its log longer than it should be.
     */
    DEGRADED
  }

  /** What kind of thing happened. */
  public enum Kind {
    /**
     * The write-ahead log had a damaged entry (not a torn tail) and the store was opened with recovery
     * by truncation: that entry and everything logged after it were dropped. The message names the file,
     * the byte offset and how many entries were lost.
     */
    LOG_TRUNCATED,
    /**
     * A collection's HNSW graph saved in the snapshot could not be used, so it was rebuilt from the
     * records when the store was opened: same contents, slower open. The message says why.
     */
    INDEX_REBUILT,
    /**
     * A background snapshot failed. The previous snapshot and the log stay valid and every acknowledged
     * write stays durable; the log keeps growing until a later snapshot succeeds (one is retried after
     * the next threshold).
     */
    SNAPSHOT_FAILED
  }

  /**
   * One thing that happened.
   *
   * @param time when the store noticed it
   * @param kind what kind of thing it was
   * @param message a human-readable description (file names, counts, the cause)
   */
  public record Event(Instant time, Kind kind, String message) {
    /** Checks for nulls. */
    public Event {
      Objects.requireNonNull(time, "time");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(message, "message");
    }

    @Override
    public String toString() {
      return time + " " + kind + ": " + message;
    }
  }

  /** Checks for nulls and copies the list. */
  public LocalHealth {
    Objects.requireNonNull(status, "status");
    events = List.copyOf(events);
  }

  /** @return true when the status is {@link Status#OK} */
  public boolean isOk() {
    return status == Status.OK;
  }
}
