package dev.quiver.compare;

import dev.quiver.InvalidArgumentException;
import dev.quiver.Metric;
import java.nio.file.Path;

/**
 * A metric was given for a Quiver export file whose collection spec records a different one. The
 * comparison would otherwise measure recall against the wrong exact answer; leave the metric out to
 * use the file's, or give the same one.
 */
public final class MetricMismatchException extends InvalidArgumentException {

  private final transient Path file;
  private final Metric given;
  private final Metric inFile;

  /**
   * @param file the export file
   * @param collection the name of the collection in its spec
   * @param given the metric given
   * @param inFile the metric in the file's spec
   */
  public MetricMismatchException(Path file, String collection, Metric given, Metric inFile) {
    super("--metric " + name(given) + " differs from the metric " + name(inFile) + " in the spec of export file "
        + file + " (collection '" + collection + "'); leave --metric out to use the file's, or give "
        + name(inFile));
    this.file = file;
    this.given = given;
    this.inFile = inFile;
  }

  /** @return the export file */
  public Path file() {
    return file;
  }

  /** @return the metric given */
  public Metric given() {
    return given;
  }

  /** @return the metric in the file's collection spec */
  public Metric inFile() {
    return inFile;
  }

  /**
   * @param m a metric
   * @return its name as {@code --metric} takes it
   */
  static String name(Metric m) {
    return switch (m) {
      case COSINE -> "cosine";
      case DOT_PRODUCT -> "dot";
      case EUCLIDEAN -> "euclidean";
    };
  }
}
