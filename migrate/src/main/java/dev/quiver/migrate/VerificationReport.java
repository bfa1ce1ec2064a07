package dev.quiver.migrate;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result of comparing source and target record by record.
 *
 * @param mode {@code FULL} (every source record) or {@code SAMPLED} (a sample, plus the counts)
 * @param checked source records compared
 * @param matched records found equal: same id, same metadata with the same types, vectors within tolerance
 * @param normalised of the matched, those whose vector matched only after normalisation (a backend
 *     that normalises COSINE vectors); none of Quiver's adapters does today
 * @param expectedCount records the target should hold (-1 when unknown)
 * @param targetCount records the target holds
 * @param differenceCount every difference found (missing, metadata, vector, extra, count)
 * @param differences the first differences, at most 1,000
 * @param tolerance the vector tolerance used (relative, per component)
 */
public record VerificationReport(String mode, long checked, long matched, long normalised, long expectedCount,
    long targetCount, long differenceCount, List<Difference> differences, double tolerance) {

  /** Copies the list. */
  public VerificationReport {
    differences = List.copyOf(differences);
  }

  /**
   * One difference.
   *
   * @param id the record id, or {@code null} for a count difference
   * @param kind {@code MISSING}, {@code METADATA}, {@code VECTOR}, {@code EXTRA} or {@code COUNT}
   * @param detail what differs
   */
  public record Difference(String id, String kind, String detail) {
    @Override
    public String toString() {
      return kind + (id == null ? "" : " '" + id + "'") + ": " + detail;
    }
  }

  /** @return true when nothing differs */
  public boolean ok() {
    return differenceCount == 0;
  }

  /** @return the report as JSON-ready maps and lists */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("mode", mode);
    m.put("ok", ok());
    m.put("checked", checked);
    m.put("matched", matched);
    m.put("normalised", normalised);
    m.put("expectedCount", expectedCount);
    m.put("targetCount", targetCount);
    m.put("tolerance", tolerance);
    m.put("differenceCount", differenceCount);
    m.put("differences", differences.stream().map(d -> {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("id", d.id());
      x.put("kind", d.kind());
      x.put("detail", d.detail());
      return x;
    }).toList());
    return m;
  }
}
