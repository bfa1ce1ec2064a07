package dev.quiver.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The FLAT scan ranks with float kernels and re-scores in double; it must return exactly what a
 * double-precision brute force ordered by (distance, id) returns, also on the data that makes float
 * ranking hard: exact ties ({-1,0,1} vectors), duplicates, and near-identical vectors.
 */
class ExactScanFuzzTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3})
  @DisplayName("FLAT search equals the double-precision oracle, ties and near-ties included")
  void flatEqualsOracle(long seed) {
    Random r = new Random(seed);
    try (LocalVectorStore store = LocalVectorStore.inMemory()) {
      for (int t = 0; t < 60; t++) {
        Metric metric = Metric.values()[r.nextInt(3)];
        int dim = 1 + r.nextInt(r.nextBoolean() ? 8 : 200);
        int n = 1 + r.nextInt(r.nextBoolean() ? 50 : 1500);
        int mode = r.nextInt(4); // 0 gaussian, 1 duplicates, 2 {-1,0,1}, 3 near-identical
        VectorCollection c = store.createCollection(CollectionSpec.builder("c" + t).dimension(dim).metric(metric)
            .index(IndexSpec.flat()).build());
        List<float[]> pool = new ArrayList<>();
        Map<String, float[]> vectors = new HashMap<>();
        Map<String, Long> tags = new HashMap<>();
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          float[] v = new float[dim];
          if (mode == 1 && !pool.isEmpty() && r.nextInt(3) > 0) {
            v = pool.get(r.nextInt(pool.size())).clone();
          } else {
            for (int j = 0; j < dim; j++) {
              v[j] = switch (mode) {
                case 0 -> (float) r.nextGaussian();
                case 1, 2 -> r.nextInt(3) - 1;
                default -> (float) (1 + 1e-6 * r.nextGaussian());
              };
            }
          }
          nonZero(v);
          pool.add(v);
          String id = "r" + r.nextInt(n * 2);
          if (vectors.containsKey(id)) {
            continue;
          }
          long tag = r.nextInt(10);
          vectors.put(id, v);
          tags.put(id, tag);
          records.add(Record.of(id, v, Metadata.of("t", tag)));
        }
        c.upsert(records);
        for (int qi = 0; qi < 5; qi++) {
          float[] q = pool.get(r.nextInt(pool.size())).clone();
          if (r.nextBoolean()) {
            for (int j = 0; j < dim; j++) {
              q[j] += (float) (1e-7 * r.nextGaussian());
            }
          }
          nonZero(q);
          int k = 1 + r.nextInt(r.nextBoolean() ? 10 : 200);
          Long limit = r.nextBoolean() ? null : (long) r.nextInt(10);
          SearchRequest request = SearchRequest.of(q, k);
          if (limit != null) {
            request = request.filter(Filter.lt("t", limit));
          }
          List<String> ids = new ArrayList<>();
          for (String id : vectors.keySet()) {
            if (limit == null || tags.get(id) < limit) {
              ids.add(id);
            }
          }
          Map<String, Double> distance = new HashMap<>();
          for (String id : ids) {
            distance.put(id, metric.distance(q, vectors.get(id)));
          }
          ids.sort(Comparator.<String>comparingDouble(distance::get).thenComparing(Comparator.naturalOrder()));
          List<String> expected = ids.subList(0, Math.min(k, ids.size()));
          List<Match> got = c.search(request);
          String where = metric + " dim=" + dim + " n=" + n + " mode=" + mode + " k=" + k + " seed=" + seed;
          assertEquals(expected, got.stream().map(Match::id).toList(), where);
          for (Match m : got) {
            assertEquals(distance.get(m.id()), m.distance(), 0.0, where + " distance of " + m.id());
          }
        }
        store.dropCollection(c.name());
      }
    }
  }

  private static void nonZero(float[] v) {
    for (float x : v) {
      if (x != 0) {
        return;
      }
    }
    v[0] = 1;
  }
}
