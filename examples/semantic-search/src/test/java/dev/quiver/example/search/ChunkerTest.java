package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ChunkerTest {

  @Test
  @DisplayName("short content is one chunk <id>#0; the title is embedded in front of it")
  void shortContent() {
    List<Chunker.Chunk> chunks = Chunker.chunk(new Document("nginx", "nginx: web server", "Fast.", List.of("httpd"), "system"));
    assertEquals(1, chunks.size());
    assertEquals("nginx#0", chunks.get(0).recordId());
    assertEquals("Fast.", chunks.get(0).text());
    assertEquals("nginx: web server\nFast.", chunks.get(0).embeddingText());
    Chunker.Chunk empty = Chunker.chunk(new Document("x", "X title", "", List.of(), "t")).get(0);
    assertEquals("X title", empty.embeddingText(), "a document without content is searched by its title");
  }

  @Test
  @DisplayName("long content: chunks of at most CHUNK_SIZE characters, cut between words, overlapping, covering every word in order")
  void longContent() {
    Random random = new Random(7);
    StringBuilder text = new StringBuilder();
    List<String> words = new ArrayList<>();
    for (int i = 0; i < 900; i++) {
      String w = "w" + i + "x".repeat(random.nextInt(9));
      words.add(w);
      text.append(w).append(random.nextInt(10) == 0 ? "\n\n" : " ");
    }
    List<Chunker.Chunk> chunks = Chunker.chunk(new Document("doc", "T", text.toString(), List.of(), "t"));
    assertTrue(chunks.size() > text.length() / Chunker.CHUNK_SIZE, "chunks: " + chunks.size());
    int next = 0;
    for (int n = 0; n < chunks.size(); n++) {
      Chunker.Chunk c = chunks.get(n);
      assertEquals("doc#" + n, c.recordId());
      assertEquals(n, c.index());
      assertTrue(c.text().length() <= Chunker.CHUNK_SIZE, c.text().length() + " characters");
      List<String> inChunk = Arrays.asList(c.text().split("\\s+"));
      assertTrue(words.contains(inChunk.get(0)) && words.contains(inChunk.get(inChunk.size() - 1)), "whole words: " + c.text());
      int first = words.indexOf(inChunk.get(0));
      if (n > 0) {
        assertTrue(first < next, "chunk " + n + " repeats the end of the one before (overlap)");
      }
      assertEquals(words.subList(first, first + inChunk.size()), inChunk, "chunk " + n + " is a run of the text's words");
      next = first + inChunk.size();
    }
    assertEquals(words.size(), next, "the last chunk ends with the last word");
  }

  @Test
  @DisplayName("a word longer than a chunk is cut, and the split still ends")
  void hugeWord() {
    String text = "a ".repeat(10) + "y".repeat(3 * Chunker.CHUNK_SIZE) + " end";
    List<String> pieces = Chunker.split(text, Chunker.CHUNK_SIZE, Chunker.OVERLAP);
    assertTrue(pieces.size() >= 4 && pieces.size() < 20, pieces.size() + " pieces");
    pieces.forEach(p -> assertTrue(p.length() <= Chunker.CHUNK_SIZE));
    assertTrue(pieces.get(pieces.size() - 1).endsWith("end"));
  }
}
