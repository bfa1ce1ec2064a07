package dev.quiver.migrate;

/**
 * Verification found differences between source and target. {@link #report()} lists them (ids,
 * which part differs); the copy itself completed.
 */
public final class VerificationFailedException extends MigrationException {

  private final transient VerificationReport report;

  /** @param report the verification with its differences */
  public VerificationFailedException(VerificationReport report) {
    super("verification found " + report.differenceCount() + " difference(s) between source and target: "
        + report.differences().stream().limit(5).map(VerificationReport.Difference::toString).toList(), null);
    this.report = report;
  }

  /** @return the verification report */
  public VerificationReport report() {
    return report;
  }

  @Override
  public boolean isTransient() {
    return false;
  }
}
