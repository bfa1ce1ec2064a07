package dev.quiver.migrate;

import dev.quiver.CollectionSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a migration will do and everything that stops it, computed before anything is written:
 * spec findings (dimension, metric, index kind the target lacks) and, per {@link Issue}, the number
 * of source records the target cannot hold as they are. {@link #blocking()} is true when the run
 * must stop; an explicit transform or {@code skipIncompatible} resolves data findings.
 *
 * @param sourceName the source collection
 * @param sourceSpec the source spec
 * @param targetName the target collection
 * @param targetSpec the target's spec: its own if it exists, else the one it will be created with
 * @param targetExists whether the target collection exists already
 * @param targetCount records in the target now (0 when it does not exist)
 * @param specProblems blocking problems with the spec (a metric or index the target lacks, ...)
 * @param notes non-blocking remarks (an approximate index instead of an exact one, ...)
 * @param scanned source records the plan read, or -1 when no scan was needed (see {@link #scanNote})
 * @param scanNote why the data was or was not scanned
 * @param issues records affected per issue (a record may have several)
 * @param examples up to 5 ids per issue
 * @param rejectedByKind records a transform refused, per {@link TransformException#kind()}
 * @param affected distinct records with at least one issue
 * @param skippedByTransform records a transform skipped (returned {@code null})
 * @param skipIncompatible whether records with issues will be skipped instead of stopping the run
 */
public record MigrationPlan(
    String sourceName, CollectionSpec sourceSpec, String targetName, CollectionSpec targetSpec,
    boolean targetExists, long targetCount, List<String> specProblems, List<String> notes,
    long scanned, String scanNote, Map<Issue, Long> issues, Map<Issue, List<String>> examples,
    Map<String, Long> rejectedByKind, long affected, long skippedByTransform, boolean skipIncompatible) {

  /** Copies the collections. */
  public MigrationPlan {
    specProblems = List.copyOf(specProblems);
    notes = List.copyOf(notes);
    issues = Collections.unmodifiableMap(new EnumMap<>(issues.isEmpty() ? new EnumMap<>(Issue.class) : issues));
    examples = Map.copyOf(examples);
    rejectedByKind = Collections.unmodifiableMap(new TreeMap<>(rejectedByKind));
  }

  /** @return true when the run must stop before writing */
  public boolean blocking() {
    return !specProblems.isEmpty() || (affected > 0 && !skipIncompatible);
  }

  /** @return records the copy will write: scanned, less those skipped by a transform or for an issue (-1 if not scanned) */
  public long recordsToWrite() {
    return scanned < 0 ? -1 : scanned - skippedByTransform - (skipIncompatible ? affected : 0);
  }

  /** @return a human-readable table of the plan */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "Plan: %s %s -> %s %s (%s)%n", sourceName, brief(sourceSpec), targetName,
        brief(targetSpec), targetExists ? "exists, " + targetCount + " records" : "will be created"));
    for (String p : specProblems) {
      sb.append("  BLOCKING  ").append(p).append('\n');
    }
    for (String n : notes) {
      sb.append("  note      ").append(n).append('\n');
    }
    sb.append("  data      ").append(scanNote).append('\n');
    if (!issues.isEmpty()) {
      sb.append(String.format(Locale.ROOT, "  %-20s %10s  %-45s %s%n", "issue", "records", "what", "resolve with"));
      for (Map.Entry<Issue, Long> e : issues.entrySet()) {
        sb.append(String.format(Locale.ROOT, "  %-20s %10d  %-45s %s%n", e.getKey(), e.getValue(),
            e.getKey().description(), e.getKey().remedy()));
        sb.append("                       e.g. ").append(examples.getOrDefault(e.getKey(), List.of())).append('\n');
      }
      rejectedByKind.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "  transform refused (%s): %d%n", k, v)));
      sb.append(String.format(Locale.ROOT, "  %d record(s) affected; %s%n", affected,
          skipIncompatible ? "they will be SKIPPED (--skip-incompatible) and counted" : "the run stops before writing"));
    }
    if (skippedByTransform > 0) {
      sb.append(String.format(Locale.ROOT, "  %d record(s) skipped by a transform%n", skippedByTransform));
    }
    if (scanned >= 0 && !blocking()) {
      sb.append(String.format(Locale.ROOT, "  %d record(s) to write%n", recordsToWrite()));
    }
    sb.append(blocking() ? "  => BLOCKED: nothing will be written\n" : "  => ready to copy\n");
    return sb.toString();
  }

  private static String brief(CollectionSpec s) {
    return "[dim " + s.dimension() + ", " + s.metric() + ", " + s.index() + "]";
  }

  /** @return the plan as JSON-ready maps and lists */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("source", sourceName);
    m.put("sourceSpec", Specs.toMap(sourceSpec));
    m.put("target", targetName);
    m.put("targetSpec", Specs.toMap(targetSpec));
    m.put("targetExists", targetExists);
    m.put("targetCount", targetCount);
    m.put("specProblems", specProblems);
    m.put("notes", notes);
    m.put("scanned", scanned);
    m.put("scanNote", scanNote);
    List<Map<String, Object>> list = new ArrayList<>();
    issues.forEach((issue, count) -> {
      Map<String, Object> i = new LinkedHashMap<>();
      i.put("issue", issue.name());
      i.put("records", count);
      i.put("description", issue.description());
      i.put("remedy", issue.remedy());
      i.put("examples", examples.getOrDefault(issue, List.of()));
      list.add(i);
    });
    m.put("issues", list);
    m.put("rejectedByKind", rejectedByKind);
    m.put("affected", affected);
    m.put("skippedByTransform", skippedByTransform);
    m.put("skipIncompatible", skipIncompatible);
    m.put("recordsToWrite", recordsToWrite());
    m.put("blocking", blocking());
    return m;
  }
}
