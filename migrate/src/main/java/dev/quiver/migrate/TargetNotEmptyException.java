package dev.quiver.migrate;

/**
 * A fresh (not resumed) migration found records in the target collection. Refused so that a copy
 * never mixes with data that was already there; pass {@code allowNonEmptyTarget} (CLI
 * {@code --append}) to copy into it anyway, or {@code --resume} to continue an interrupted run.
 */
public final class TargetNotEmptyException extends MigrationException {

  /**
   * @param target the target collection's name
   * @param count how many records it holds
   */
  public TargetNotEmptyException(String target, long count) {
    super("target collection '" + target + "' already holds " + count + " records; use --resume to continue an"
        + " interrupted migration, --append to copy into it anyway, or choose an empty target", null);
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
