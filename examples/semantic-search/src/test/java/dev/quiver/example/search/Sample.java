package dev.quiver.example.search;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The committed sample: 200 Debian package descriptions made by scripts/corpus-debian.sh (see the
 * example's README for the command), with well-known packages included so queries have known answers.
 */
final class Sample {

  private Sample() {}

  static Path path() {
    try {
      return Path.of(Objects.requireNonNull(Sample.class.getResource("/debian-sample.jsonl")).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static List<Document> documents() {
    return CorpusReader.read(path());
  }

  /** @return how many chunk records the sample makes */
  static int chunkCount() {
    return documents().stream().mapToInt(d -> Chunker.chunk(d).size()).sum();
  }
}
