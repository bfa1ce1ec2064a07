package dev.quiver.bench;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sentence embeddings with all-MiniLM-L6-v2 (the ONNX model inside the Maven Central artifact; no
 * download at run time), cached as a growing prefix: the first run embeds what it needs, later runs
 * reuse it and embed only what is missing.
 */
final class Embeddings {

  private Embeddings() {}

  static float[][] embedPrefix(Path dir, List<String> sentences, int count) throws Exception {
    Files.createDirectories(dir);
    Path vecs = dir.resolve("embeddings.fvecs");
    Path text = dir.resolve("sentences.txt");
    List<String> want = sentences.subList(0, Math.min(count, sentences.size()));
    List<String> have = Files.exists(text) ? Files.readAllLines(text, StandardCharsets.UTF_8) : List.of();
    float[][] cached = Files.exists(vecs) ? VecIO.readFvecs(vecs, -1) : new float[0][];
    int ok = Math.min(have.size(), cached.length);
    int prefix = 0;
    while (prefix < ok && prefix < want.size() && have.get(prefix).equals(want.get(prefix))) {
      prefix++;
    }
    if (prefix < Math.min(ok, want.size()) || cached.length != have.size()) {
      // the corpus changed (or the cache is torn): start over
      Files.deleteIfExists(vecs);
      Files.deleteIfExists(text);
      prefix = 0;
      cached = new float[0][];
    }
    if (prefix >= want.size()) {
      return Arrays.copyOf(cached, want.size());
    }
    List<float[]> out = new ArrayList<>(Arrays.asList(cached).subList(0, prefix));
    System.err.println("  embedding " + (want.size() - prefix) + " sentences with all-MiniLM-L6-v2 (cached in "
        + dir + " for later runs)");
    AllMiniLmL6V2EmbeddingModel model = new AllMiniLmL6V2EmbeddingModel();
    int batch = 256;
    try (Progress p = new Progress("embedding sentences", want.size() - prefix)) {
      for (int from = prefix; from < want.size(); from += batch) {
        List<String> part = want.subList(from, Math.min(want.size(), from + batch));
        List<TextSegment> segs = part.stream().map(TextSegment::from).toList();
        List<Embedding> es = model.embedAll(segs).content();
        List<float[]> vs = es.stream().map(Embedding::vector).toList();
        VecIO.appendFvecs(vecs, vs);
        Files.write(text, part, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
            java.nio.file.StandardOpenOption.APPEND);
        out.addAll(vs);
        p.add(part.size());
      }
    }
    return out.toArray(new float[0][]);
  }
}
