package dev.quiver.local;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the engine logs through {@link System.Logger} {@code dev.quiver.local} (which the JDK
 * routes to java.util.logging) while it is open.
 */
public final class LogCapture extends Handler implements AutoCloseable {

  private final Logger logger = Logger.getLogger("dev.quiver.local"); // held: JUL keeps loggers weakly
  private final Level previous;
  private final List<LogRecord> records = new ArrayList<>();

  public LogCapture() {
    previous = logger.getLevel();
    logger.setLevel(Level.ALL);
    setLevel(Level.ALL);
    logger.addHandler(this);
  }

  @Override
  public synchronized void publish(LogRecord r) {
    records.add(r);
  }

  /** @return the messages logged at exactly {@code level} */
  public synchronized List<String> messages(Level level) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      if (r.getLevel().equals(level)) {
        out.add(r.getMessage());
      }
    }
    return out;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    logger.removeHandler(this);
    logger.setLevel(previous);
  }
}
