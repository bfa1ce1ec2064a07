package dev.quiver.example.search;

import java.util.List;

/**
 * One document of the knowledge base, as ingested: an article, a package description, a help page.
 *
 * @param id the document's id, unique within its tenant (chunks are stored as {@code <id>#<n>})
 * @param title a one-line title (shown in results; also prefixed to every chunk before embedding)
 * @param content the text; long content is split into chunks
 * @param tags labels to filter on (any may match)
 * @param tenant the tenant the document belongs to
 */
public record Document(String id, String title, String content, List<String> tags, String tenant) {

  /** Longest document id: its chunk ids ({@code <id>#<n>}) must stay under the API's 512-byte id limit. */
  public static final int MAX_ID_LENGTH = 200;

  public Document {
    id = require("id", id);
    if (id.length() > MAX_ID_LENGTH) {
      throw new IllegalArgumentException("id is " + id.length() + " characters long; at most " + MAX_ID_LENGTH);
    }
    tenant = require("tenant", tenant);
    title = title == null || title.isBlank() ? id : title.strip();
    content = content == null ? "" : content.strip();
    tags = tags == null ? List.of() : tags.stream().map(String::strip).filter(t -> !t.isEmpty()).distinct().toList();
  }

  private static String require(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is missing or empty");
    }
    return value.strip();
  }
}
