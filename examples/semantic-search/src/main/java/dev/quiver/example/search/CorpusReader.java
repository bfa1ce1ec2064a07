package dev.quiver.example.search;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads a corpus: JSON Lines ({@code .jsonl}, {@code .ndjson}: one object a line with {@code id},
 * {@code title}, {@code content}, {@code tags} (an array or one string), {@code tenant}) or CSV
 * ({@code .csv}: a header row naming those columns; tags separated by {@code ;}). A bad line stops
 * the read with a {@link CorpusException} naming the file, the line and what is wrong, before
 * anything is ingested.
 */
public final class CorpusReader {

  private static final ObjectMapper JSON = new ObjectMapper();

  private CorpusReader() {}

  /** A corpus that cannot be read; names the file and line. */
  public static final class CorpusException extends RuntimeException {
    CorpusException(String message) {
      super(message);
    }
  }

  /**
   * @param file a {@code .jsonl}/{@code .ndjson} or {@code .csv} file
   * @return its documents in file order
   * @throws CorpusException on an unknown format, a malformed line, a bad document or an id seen twice in a tenant
   */
  public static List<Document> read(Path file) {
    String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
    try {
      List<Document> docs;
      if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
        docs = readJsonLines(file);
      } else if (name.endsWith(".csv")) {
        docs = readCsv(file);
      } else {
        throw new CorpusException(file + ": unknown corpus format; use .jsonl (JSON Lines) or .csv");
      }
      Set<String> seen = new HashSet<>();
      for (Document d : docs) {
        if (!seen.add(d.tenant() + '\0' + d.id())) {
          throw new CorpusException(file + ": id '" + d.id() + "' appears twice in tenant '" + d.tenant() + "'");
        }
      }
      return docs;
    } catch (IOException e) {
      throw new CorpusException(file + ": cannot read: " + e.getMessage());
    }
  }

  private static List<Document> readJsonLines(Path file) throws IOException {
    List<Document> docs = new ArrayList<>();
    int lineNo = 0;
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        throw new CorpusException(file + " line " + lineNo + ": not JSON: " + e.getOriginalMessage());
      }
      if (!node.isObject()) {
        throw new CorpusException(file + " line " + lineNo + ": expected a JSON object");
      }
      String where = file + " line " + lineNo;
      docs.add(document(where, text(where, node, "id"), text(where, node, "title"), text(where, node, "content"),
          tags(where, node.get("tags")), text(where, node, "tenant")));
    }
    return docs;
  }

  private static String text(String where, JsonNode node, String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new CorpusException(where + ": '" + field + "' must be a string, not " + v.getNodeType().toString().toLowerCase(Locale.ROOT));
    }
    return v.textValue();
  }

  private static List<String> tags(String where, JsonNode v) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return List.of(v.textValue());
    }
    if (!v.isArray()) {
      throw new CorpusException(where + ": 'tags' must be an array of strings or a string");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode t : v) {
      if (!t.isTextual()) {
        throw new CorpusException(where + ": 'tags' must hold only strings");
      }
      out.add(t.textValue());
    }
    return out;
  }

  private static List<Document> readCsv(Path file) throws IOException {
    CsvMapper csv = new CsvMapper();
    CsvSchema schema = CsvSchema.emptySchema().withHeader();
    List<Document> docs = new ArrayList<>();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        MappingIterator<Map<String, String>> rows = csv.readerForMapOf(String.class).with(schema).readValues(reader)) {
      while (rows.hasNextValue()) {
        Map<String, String> row;
        try {
          row = rows.nextValue();
        } catch (RuntimeException | IOException e) {
          throw new CorpusException(file + " line " + rows.getCurrentLocation().getLineNr() + ": " + e.getMessage());
        }
        String where = file + " line " + rows.getCurrentLocation().getLineNr();
        if (docs.isEmpty()) {
          for (String column : List.of("id", "content", "tenant")) {
            if (!row.containsKey(column)) {
              throw new CorpusException(file + ": the header row has no '" + column + "' column (it has " + row.keySet() + ")");
            }
          }
        }
        String tags = row.get("tags");
        docs.add(document(where, row.get("id"), row.get("title"), row.get("content"),
            tags == null ? List.of() : Arrays.asList(tags.split(";")), row.get("tenant")));
      }
    }
    return docs;
  }

  private static Document document(String where, String id, String title, String content, List<String> tags, String tenant) {
    try {
      return new Document(id, title, content, tags, tenant);
    } catch (IllegalArgumentException e) {
      throw new CorpusException(where + ": " + e.getMessage());
    }
  }
}
