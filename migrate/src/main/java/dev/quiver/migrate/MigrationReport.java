package dev.quiver.migrate;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What a migration did.
 *
 * @param plan the plan it ran under
 * @param resumed whether it continued from a checkpoint
 * @param writtenThisRun records this run wrote and the target acknowledged
 * @param writtenBefore records earlier runs had written (per the checkpoint)
 * @param writtenTotal records written over all runs
 * @param skippedTotal records skipped (by a transform or as incompatible) over all runs
 * @param retries page reads and batch writes retried after transient errors, this run
 * @param copySeconds time spent copying, this run
 * @param totalSeconds time of the whole run (plan, copy, verification)
 * @param verification the verification, or {@code null} when turned off
 * @param checkpoint the checkpoint file, or {@code null}
 */
public record MigrationReport(MigrationPlan plan, boolean resumed, long writtenThisRun, long writtenBefore,
    long writtenTotal, long skippedTotal, long retries, double copySeconds, double totalSeconds,
    VerificationReport verification, Path checkpoint) {

  /** @return records per second of this run's copy phase */
  public double recordsPerSecond() {
    return copySeconds > 0 ? writtenThisRun / copySeconds : 0;
  }

  /** @return true unless verification ran and found differences */
  public boolean ok() {
    return verification == null || verification.ok();
  }

  /**
   * @return this report
   * @throws VerificationFailedException when verification found differences
   */
  public MigrationReport requireVerified() {
    if (!ok()) {
      throw new VerificationFailedException(verification);
    }
    return this;
  }

  /** @return the summary table printed at the end of {@code quiver migrate} */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    row(sb, "source", plan.sourceName());
    row(sb, "target", plan.targetName() + (plan.targetExists() ? " (existed)" : " (created)"));
    row(sb, "resumed", resumed ? "yes, after " + writtenBefore + " records" : "no");
    row(sb, "written", writtenTotal + " records (" + writtenThisRun + " this run)");
    row(sb, "skipped", skippedTotal + " records");
    row(sb, "retries", Long.toString(retries));
    row(sb, "copy time", String.format(Locale.ROOT, "%.1f s, %.0f records/s", copySeconds, recordsPerSecond()));
    row(sb, "total time", String.format(Locale.ROOT, "%.1f s", totalSeconds));
    if (verification == null) {
      row(sb, "verified", "no (turned off)");
    } else {
      row(sb, "verified", String.format(Locale.ROOT, "%s: %d checked, %d equal, %d difference(s); target holds %d",
          verification.mode(), verification.checked(), verification.matched(), verification.differenceCount(),
          verification.targetCount()) + (verification.normalised() > 0
              ? "; " + verification.normalised() + " vectors equal after normalisation" : ""));
      verification.differences().stream().limit(20).forEach(d -> row(sb, "", d.toString()));
    }
    if (checkpoint != null) {
      row(sb, "checkpoint", checkpoint.toString());
    }
    return sb.toString();
  }

  private static void row(StringBuilder sb, String k, String v) {
    sb.append(String.format(Locale.ROOT, "  %-11s %s%n", k, v));
  }

  /** @return the report as JSON-ready maps and lists ({@code --json}) */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", ok());
    m.put("resumed", resumed);
    m.put("writtenThisRun", writtenThisRun);
    m.put("writtenBefore", writtenBefore);
    m.put("writtenTotal", writtenTotal);
    m.put("skippedTotal", skippedTotal);
    m.put("retries", retries);
    m.put("copySeconds", copySeconds);
    m.put("recordsPerSecond", recordsPerSecond());
    m.put("totalSeconds", totalSeconds);
    m.put("checkpoint", checkpoint == null ? null : checkpoint.toString());
    m.put("plan", plan.toMap());
    m.put("verification", verification == null ? null : verification.toMap());
    return m;
  }
}
