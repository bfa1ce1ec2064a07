package dev.quiver.migrate;

import dev.quiver.Record;
import java.util.List;

/** Applies the transforms to a source record and checks the result against the target's profile. */
final class RecordPipeline {

  /**
   * What became of one source record.
   *
   * @param record the record to write, or {@code null} when skipped by a transform or refused
   * @param skippedByTransform a transform returned {@code null}
   * @param issues what keeps the target from holding it (empty when it fits)
   * @param rejection the transform's refusal, if any
   */
  record Outcome(Record record, boolean skippedByTransform, List<Issue> issues, TransformException rejection) {
    boolean writable() {
      return record != null && issues.isEmpty();
    }
  }

  private final Transform transform;
  private final TargetProfile profile;

  RecordPipeline(Transform transform, TargetProfile profile) {
    this.transform = transform;
    this.profile = profile;
  }

  boolean hasTransform() {
    return transform != null;
  }

  Outcome apply(Record source) {
    Record r;
    try {
      r = transform == null ? source : transform.apply(source);
    } catch (TransformException e) {
      return new Outcome(null, false, List.of(Issue.TRANSFORM_REJECTED), e);
    }
    if (r == null) {
      return new Outcome(null, true, List.of(), null);
    }
    return new Outcome(r, false, profile.check(r), null);
  }
}
