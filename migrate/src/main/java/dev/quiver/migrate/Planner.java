package dev.quiver.migrate;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.IndexSpec;
import dev.quiver.ListRequest;
import dev.quiver.Page;
import dev.quiver.Record;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Computes a {@link MigrationPlan}: spec checks, then (when needed) one scan of the source. */
final class Planner {

  private Planner() {}

  /**
   * @param m the migration's settings
   * @param targetSpec the spec the target has or will be created with
   * @param targetExists whether it exists
   * @param targetCount its records now
   * @param scan whether to scan the data; otherwise counts are 0 and the plan says why
   * @param scanNote when not scanning, why
   * @return the plan
   */
  static MigrationPlan plan(Migration m, CollectionSpec targetSpec, boolean targetExists, long targetCount,
      boolean scan, String scanNote) {
    CollectionSpec sourceSpec = m.source().spec();
    Capabilities caps = m.targetStore().capabilities();
    List<String> problems = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (!caps.supports(Feature.of(targetSpec.metric()))) {
      problems.add("metric " + targetSpec.metric() + " is not offered by " + caps.backend() + ": "
          + caps.entry(Feature.of(targetSpec.metric())).note());
    }
    if (!targetExists && !caps.supports(targetSpec.index().feature())) {
      problems.add("index " + targetSpec.index() + " is not offered by " + caps.backend() + " ("
          + caps.entry(targetSpec.index().feature()).note() + "); choose another with --index (for example hnsw)");
    }
    if (targetSpec.dimension() > caps.maxDimension()) {
      problems.add("dimension " + targetSpec.dimension() + " is above " + caps.backend() + "'s maximum of "
          + caps.maxDimension());
    }
    if (targetExists && targetSpec.metric() != sourceSpec.metric()) {
      problems.add("the existing target uses " + targetSpec.metric() + " but the source uses " + sourceSpec.metric()
          + ": scores would change meaning; migrate into a new collection");
    }
    if (targetSpec.dimension() != sourceSpec.dimension() && !m.pipelineHasTransform()) {
      problems.add("the target's dimension is " + targetSpec.dimension() + " but the source's is "
          + sourceSpec.dimension() + ", and no transform produces new vectors");
    }
    if (sourceSpec.index() instanceof IndexSpec.Flat && !(targetSpec.index() instanceof IndexSpec.Flat)) {
      notes.add("the source index is exact (FLAT) and the target's is approximate (" + targetSpec.index()
          + "): searches may return slightly different neighbours");
    }
    if (caps.consistency() == Capabilities.Consistency.EVENTUAL) {
      notes.add(caps.backend() + " is eventually consistent: verification waits for writes to become visible");
    }
    Map<Issue, Long> issues = new EnumMap<>(Issue.class);
    Map<Issue, List<String>> examples = new EnumMap<>(Issue.class);
    Map<String, Long> rejected = new TreeMap<>();
    long scanned = -1;
    long affected = 0;
    long skippedByTransform = 0;
    if (scan) {
      scanned = 0;
      RecordPipeline pipeline = m.pipeline(new TargetProfile(caps, targetSpec));
      ListRequest req = m.listRequest();
      String cursor = null;
      m.listener().phase("plan", -1, 0);
      do {
        ListRequest r = req.cursor(cursor);
        Page page = m.retries().call("reading a page of the source", () -> m.source().list(r));
        for (Record rec : page.records()) {
          scanned++;
          RecordPipeline.Outcome o = pipeline.apply(rec);
          if (o.skippedByTransform()) {
            skippedByTransform++;
          }
          if (!o.issues().isEmpty()) {
            affected++;
            for (Issue i : o.issues()) {
              issues.merge(i, 1L, Long::sum);
              List<String> ex = examples.computeIfAbsent(i, k -> new ArrayList<>());
              if (ex.size() < 5) {
                ex.add(rec.id());
              }
            }
            if (o.rejection() != null) {
              rejected.merge(o.rejection().kind(), 1L, Long::sum);
            }
          }
        }
        m.listener().progress(scanned, 0);
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      scanNote = "scanned " + scanned + " source records";
    }
    return new MigrationPlan(m.source().name(), sourceSpec, targetSpec.name(), targetSpec, targetExists, targetCount,
        problems, notes, scanned, scanNote, issues, examples, rejected, affected, skippedByTransform,
        m.skipIncompatible());
  }
}
