package dev.quiver.conformance;

import static dev.quiver.conformance.VectorStoreConformanceKit.DIM;
import static dev.quiver.conformance.VectorStoreConformanceKit.SCORE_TOLERANCE;
import static dev.quiver.conformance.VectorStoreConformanceKit.vectorFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.Match;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kit's group "Scores" (run as {@link VectorStoreConformanceKit.Scores}, order 8): the score
 * and distance formulas of docs/semantics.md (Scores), on hand-computed vectors.
 */
abstract class ScoresCases extends KitGroup {

  ScoresCases(VectorStoreConformanceKit kit) {
    super(kit);
  }

  private float[] v(float... head) {
    float[] out = new float[DIM];
    System.arraycopy(head, 0, out, 0, head.length);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Metric.class)
  @DisplayName("score and distance equal the formulas on hand-computed vectors, and distance == distanceFromScore(score)")
  void formulas(Metric metric) {
    VectorCollection c = newCollection(metric, exactIndex(), DIM);
    Map<String, double[]> expected = new LinkedHashMap<>(); // id -> {score, distance}
    float[] q;
    List<Record> data = new ArrayList<>();
    switch (metric) {
      case COSINE -> {
        q = v(1, 0);
        data.add(Record.of("same", v(2, 0)));
        data.add(Record.of("orth", v(0, 3)));
        data.add(Record.of("opp", v(-1, 0)));
        data.add(Record.of("diag", v(1, 1)));
        expected.put("same", new double[] {1, 0});
        expected.put("diag", new double[] {Math.sqrt(0.5), 1 - Math.sqrt(0.5)});
        expected.put("orth", new double[] {0, 1});
        expected.put("opp", new double[] {-1, 2});
      }
      case DOT_PRODUCT -> {
        q = v(1, 2);
        data.add(Record.of("a", v(3, 4)));
        data.add(Record.of("b", v(0.5f, 0.5f)));
        data.add(Record.of("c", v(-1, 0)));
        data.add(Record.of("d", v(0, -3)));
        expected.put("a", new double[] {11, -11});
        expected.put("b", new double[] {1.5, -1.5});
        expected.put("c", new double[] {-1, 1});
        expected.put("d", new double[] {-6, 6});
      }
      default -> {
        // shifted off the origin so backends without ZERO_VECTORS are measured too
        q = v(1, 1);
        data.add(Record.of("zero", v(1, 1)));
        data.add(Record.of("one", v(2, 1)));
        data.add(Record.of("five", v(4, 5)));
        data.add(Record.of("ten", v(1, -5, 8)));
        expected.put("zero", new double[] {1, 0});
        expected.put("one", new double[] {0.5, 1});
        expected.put("five", new double[] {1.0 / 6, 5});
        expected.put("ten", new double[] {1.0 / 11, 10});
      }
    }
    upsertVisible(c, data);
    List<Match> got = c.search(SearchRequest.of(q, 10));
    assertEquals(List.copyOf(expected.keySet()), got.stream().map(Match::id).toList(), "order, best first");
    for (Match m : got) {
      double[] sd = expected.get(m.id());
      assertEquals(sd[0], m.score(), SCORE_TOLERANCE, "score of " + m.id());
      assertEquals(sd[1], m.distance(), SCORE_TOLERANCE, "distance of " + m.id());
      assertEquals(metric.distanceFromScore(m.score()), m.distance(), SCORE_TOLERANCE, "distance vs score of " + m.id());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Metric.class)
  @DisplayName("matches with equal scores are ordered by id")
  void tiesById(Metric metric) {
    VectorCollection c = newCollection(metric, exactIndex(), DIM);
    float[] same = vectorFor("tie", DIM);
    List<Record> data = new ArrayList<>();
    for (String id : List.of("t3", "t1", "t5", "t2", "t4")) {
      data.add(Record.of(id, same));
    }
    float[] opposite = same.clone();
    for (int i = 0; i < opposite.length; i++) {
      opposite[i] = -opposite[i]; // worse than the ties under every metric
    }
    data.add(Record.of("far", opposite));
    upsertVisible(c, data);
    List<String> got = searchIds(c, same, 5, null);
    assertEquals(List.of("t1", "t2", "t3", "t4", "t5"), got, "ties are broken by id");
  }
}
