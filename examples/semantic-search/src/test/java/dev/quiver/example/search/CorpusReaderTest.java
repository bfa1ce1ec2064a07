package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {

  @Test
  @DisplayName("JSON Lines: every field, tags as an array or one string, a missing title falls back to the id")
  void jsonLines(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("c.jsonl");
    Files.writeString(f, """
        {"id": "a", "title": "A", "content": "first", "tags": ["x", "y"], "tenant": "t1"}

        {"id": "b", "content": "second", "tags": "z", "tenant": "t2", "extra": 1}
        """);
    List<Document> docs = CorpusReader.read(f);
    assertEquals(List.of(new Document("a", "A", "first", List.of("x", "y"), "t1"),
        new Document("b", "b", "second", List.of("z"), "t2")), docs);
  }

  @Test
  @DisplayName("CSV with a header: quoted fields with commas, quotes and newlines; tags split on ';'")
  void csv(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("c.csv");
    Files.writeString(f, "id,title,content,tags,tenant\n"
        + "a,\"A, the first\",\"line one\nline \"\"two\"\"\",x;y,t1\n"
        + "b,B,second,,t2\n");
    List<Document> docs = CorpusReader.read(f);
    assertEquals(new Document("a", "A, the first", "line one\nline \"two\"", List.of("x", "y"), "t1"), docs.get(0));
    assertEquals(List.of(), docs.get(1).tags());
  }

  @Test
  @DisplayName("a bad line is refused naming the file, the line and what is wrong")
  void refused(@TempDir Path tmp) throws Exception {
    String[][] cases = {
        {"c.jsonl", "{\"id\": \"a\", \"content\": \"x\", \"tenant\": \"t\"}\n{not json\n", "line 2", "not JSON"},
        {"c.jsonl", "{\"id\": \"a\", \"content\": \"x\"}\n", "line 1", "tenant is missing"},
        {"c.jsonl", "{\"id\": 7, \"content\": \"x\", \"tenant\": \"t\"}\n", "line 1", "'id' must be a string"},
        {"c.jsonl", "{\"id\": \"a\", \"tags\": [1], \"tenant\": \"t\"}\n", "line 1", "'tags' must hold only strings"},
        {"c.jsonl", "[1, 2]\n", "line 1", "expected a JSON object"},
        {"c.jsonl", "{\"id\": \"a\", \"tenant\": \"t\"}\n{\"id\": \"a\", \"tenant\": \"t\"}\n", "appears twice", "'a'"},
        {"c.csv", "id,title,content\na,b,c\n", "no 'tenant' column", "header"},
        {"c.txt", "whatever", "unknown corpus format", ".jsonl"},
    };
    for (String[] c : cases) {
      Path f = tmp.resolve(c[0]);
      Files.writeString(f, c[1]);
      CorpusReader.CorpusException e = assertThrows(CorpusReader.CorpusException.class, () -> CorpusReader.read(f));
      assertTrue(e.getMessage().contains(c[2]) && e.getMessage().contains(c[3]) && e.getMessage().contains(f.toString()),
          e.getMessage());
    }
  }
}
