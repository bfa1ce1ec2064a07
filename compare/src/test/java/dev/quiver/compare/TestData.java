package dev.quiver.compare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes a small clustered JSON Lines dataset with metadata of every type, for tests. */
final class TestData {

  static final String[] CATEGORIES = {"tech", "science", "sports", "travel", "food"};
  static final String[] TAGS = {"ai", "java", "cloud", "health", "budget"};

  private TestData() {}

  static Path jsonLines(Path file, int records, int dimension, long seed) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Random random = new Random(seed);
    float[][] centroids = new float[CATEGORIES.length][dimension];
    for (float[] c : centroids) {
      for (int i = 0; i < dimension; i++) {
        c[i] = (float) random.nextGaussian();
      }
    }
    try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int n = 0; n < records; n++) {
        int cat = random.nextInt(CATEGORIES.length);
        ObjectNode row = json.createObjectNode();
        row.put("id", String.format("doc-%05d", n));
        var vec = row.putArray("vector");
        for (int i = 0; i < dimension; i++) {
          vec.add(centroids[cat][i] + (float) random.nextGaussian() * 0.7f);
        }
        ObjectNode meta = row.putObject("metadata");
        meta.put("category", CATEGORIES[cat]);
        meta.put("year", 2005 + random.nextInt(20));
        meta.put("price", Math.round(random.nextDouble() * 5000) / 100.0);
        meta.put("in_stock", random.nextBoolean());
        var tags = meta.putArray("tags");
        for (String t : TAGS) {
          if (random.nextInt(3) == 0) {
            tags.add(t);
          }
        }
        if (random.nextInt(3) != 0) {
          meta.put("rating", 1 + random.nextInt(5));
        }
        out.write(json.writeValueAsString(row));
        out.newLine();
      }
    }
    return file;
  }
}
