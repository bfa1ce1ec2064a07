package dev.quiver.cli;

import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The synthetic demo ({@code ./quiver demo --synthetic}): a catalogue of random vectors with typed
 * metadata, loaded into a store and searched with filters, each result table printed with scores and
 * latency. It shows the filter language on every metadata type; the default demo shows search by
 * meaning on real text ({@link TextDemo}).
 */
final class SyntheticDemo {

  static final String[] CATEGORIES = {"tech", "science", "sports", "travel", "food"};
  static final String[] TAGS = {"ai", "java", "cloud", "health", "budget", "europe", "open-source"};

  private SyntheticDemo() {}

  static int run(String store, int records, int dimension, long seed) {
    PrintStream out = System.out;
    Random random = new Random(seed);
    float[][] centroids = new float[CATEGORIES.length][];
    for (int c = 0; c < centroids.length; c++) {
      centroids[c] = gaussian(random, dimension, 1f);
    }
    String collectionName = "quiver_demo_" + Long.toHexString(System.nanoTime() & 0xffffff);
    try (VectorStore vectors = Quiver.open(store)) {
      out.printf("Quiver demo on %s (backend: %s)%n", store, vectors.capabilities().backend());
      VectorCollection articles = vectors.createCollection(CollectionSpec.builder(collectionName)
          .dimension(dimension).metric(Metric.COSINE).index(IndexSpec.flat()).build());
      try {
        long t0 = System.nanoTime();
        List<Record> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
          int category = random.nextInt(CATEGORIES.length);
          batch.add(Record.of(String.format("article-%05d", i), near(random, centroids[category]),
              metadata(random, category)));
          if (batch.size() == 500) {
            articles.upsert(batch);
            batch.clear();
          }
        }
        articles.upsert(batch);
        out.printf("Loaded %,d records of dimension %d into '%s' in %.1f ms%n%n", articles.count(), dimension,
            collectionName, (System.nanoTime() - t0) / 1e6);

        float[] techQuery = near(random, centroids[0]);
        search(out, articles, "Nearest to a 'tech' query, no filter", SearchRequest.of(techQuery, 5));
        search(out, articles, "The same query, only tech articles from 2020 on",
            SearchRequest.of(techQuery, 5).filter("category == 'tech' and year >= 2020"));
        search(out, articles, "Tagged 'java' or 'open-source', in stock, price under 20",
            SearchRequest.of(techQuery, 5).filter("tags in ['java', 'open-source'] and in_stock == true and price < 20"));
        search(out, articles, "Science articles without a rating",
            SearchRequest.of(near(random, centroids[1]), 5).filter("category == 'science' and not exists(rating)"));
        search(out, articles, "Anything but sports and food, rated 4 or more",
            SearchRequest.of(near(random, centroids[3]), 5).filter("category not in ['sports', 'food'] and rating >= 4"));
        Filter old = Filter.parse("year < 2012");
        out.printf("Records matching \"%s\": %,d; deleting them by filter...%n", old, articles.count(old));
        articles.delete(old);
        out.printf("Now %,d records, %,d matching.%n", articles.count(), articles.count(old));
      } finally {
        vectors.dropCollection(collectionName);
      }
    }
    return 0;
  }

  private static void search(PrintStream out, VectorCollection c, String title, SearchRequest request) {
    long t0 = System.nanoTime();
    List<Match> hits = c.search(request);
    double ms = (System.nanoTime() - t0) / 1e6;
    out.printf("%s%n  filter: %s%n", title, request.filter().map(Filter::toString).orElse("(none)"));
    out.printf("  %-4s %-14s %8s %9s  %s%n", "#", "id", "score", "distance", "metadata");
    int rank = 1;
    for (Match m : hits) {
      out.printf(Locale.ROOT, "  %-4d %-14s %8.4f %9.4f  %s%n", rank++, m.id(), m.score(), m.distance(), m.metadata());
    }
    out.printf(Locale.ROOT, "  %d matches in %.2f ms%n%n", hits.size(), ms);
  }

  static Metadata metadata(Random random, int category) {
    Metadata.Builder m = Metadata.builder()
        .put("category", CATEGORIES[category])
        .put("year", 2005L + random.nextInt(20))
        .put("price", Math.round(random.nextDouble() * 5000) / 100.0)
        .put("in_stock", random.nextBoolean());
    List<String> tags = new ArrayList<>();
    for (String tag : TAGS) {
      if (random.nextInt(4) == 0) {
        tags.add(tag);
      }
    }
    m.put("tags", tags);
    if (random.nextInt(3) != 0) {
      m.put("rating", (long) (1 + random.nextInt(5)));
    }
    return m.build();
  }

  static float[] gaussian(Random random, int dimension, float scale) {
    float[] v = new float[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = (float) random.nextGaussian() * scale;
    }
    return v;
  }

  static float[] near(Random random, float[] centroid) {
    float[] v = gaussian(random, centroid.length, 0.6f);
    for (int i = 0; i < v.length; i++) {
      v[i] += centroid[i];
    }
    return v;
  }
}
