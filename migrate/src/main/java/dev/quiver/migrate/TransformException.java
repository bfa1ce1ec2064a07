package dev.quiver.migrate;

/**
 * A transform cannot turn a record into one the target should receive, for example a key rename
 * whose new name is already taken in that record. The plan counts these per {@link #kind()}; during
 * a copy the record stops the run (or is skipped when skipping was chosen).
 */
public final class TransformException extends MigrationException {

  private final String kind;

  /**
   * @param kind a short, stable name of the problem, used to group counts ("rename collision")
   * @param message what happened, naming the record and key
   */
  public TransformException(String kind, String message) {
    super(message, null);
    this.kind = kind;
  }

  /** @return the kind of problem */
  public String kind() {
    return kind;
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
