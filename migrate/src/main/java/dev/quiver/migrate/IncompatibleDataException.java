package dev.quiver.migrate;

/**
 * The plan found data or a collection spec the target cannot hold, and no transform was chosen for
 * it. Nothing was written. {@link #plan()} has every finding with the number of records affected.
 */
public final class IncompatibleDataException extends MigrationException {

  private final transient MigrationPlan plan;

  /** @param plan the plan whose findings block the run */
  public IncompatibleDataException(MigrationPlan plan) {
    super("the target cannot hold everything the source has; nothing was written.\n" + plan.describe()
        + "\nChoose a transform for each finding (see docs/migration.md) or fix the target, then run again.", null);
    this.plan = plan;
  }

  /** @return the plan with its blocking findings */
  public MigrationPlan plan() {
    return plan;
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
