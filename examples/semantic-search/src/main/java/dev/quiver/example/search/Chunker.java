package dev.quiver.example.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a document's content into overlapping chunks of about {@link #CHUNK_SIZE} characters, cut at
 * whitespace, {@link #OVERLAP} characters shared by neighbours (so a sentence cut in two is whole in
 * one of them). all-MiniLM-L6-v2 was trained on passages of up to 128 word pieces and reads at most
 * 256: 500 characters of English is about 110 word pieces, so a chunk is read whole and keeps one
 * topic. Each chunk is embedded with the document's title in front, which puts a chunk from the middle
 * of a long text back in context. Chunk {@code n} of document {@code id} is stored as {@code id#n}.
 */
public final class Chunker {

  /** Target chunk length in characters. */
  public static final int CHUNK_SIZE = 500;
  /** Characters repeated at the start of the next chunk. */
  public static final int OVERLAP = 100;

  /**
   * One chunk.
   *
   * @param recordId the id it is stored under: {@code <doc-id>#<n>}
   * @param index n, from 0
   * @param text the chunk's own text (the title is not in it)
   * @param embeddingText what is embedded: title, newline, text
   */
  public record Chunk(String recordId, int index, String text, String embeddingText) {}

  private Chunker() {}

  /** @return the document's chunks, at least one (a document without content is its title) */
  public static List<Chunk> chunk(Document doc) {
    List<Chunk> out = new ArrayList<>();
    for (String piece : split(doc.content(), CHUNK_SIZE, OVERLAP)) {
      int n = out.size();
      out.add(new Chunk(doc.id() + "#" + n, n, piece, piece.isEmpty() ? doc.title() : doc.title() + "\n" + piece));
    }
    return out;
  }

  /** Splits text into pieces of at most about {@code size} characters overlapping by about {@code overlap}. */
  static List<String> split(String text, int size, int overlap) {
    if (text.length() <= size) {
      return List.of(text);
    }
    List<String> pieces = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = Math.min(text.length(), start + size);
      if (end < text.length()) {
        int cut = lastWhitespace(text, start + size / 2, end);
        end = cut > start ? cut : end;            // a word longer than half a chunk is cut where it is
      }
      pieces.add(text.substring(start, end).strip());
      if (end >= text.length()) {
        break;
      }
      int next = nextWordStart(text, Math.max(start + 1, end - overlap), end);
      start = next;
    }
    return pieces;
  }

  private static int lastWhitespace(String text, int from, int to) {
    for (int i = to; i > from; i--) {
      if (Character.isWhitespace(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** The start of the first word at or after {@code from}; {@code limit} if none starts before it. */
  private static int nextWordStart(String text, int from, int limit) {
    int i = from;
    if (i > 0 && !Character.isWhitespace(text.charAt(i - 1))) {
      while (i < limit && !Character.isWhitespace(text.charAt(i))) {
        i++;                                      // skip the rest of a word cut by the overlap
      }
    }
    while (i < limit && Character.isWhitespace(text.charAt(i))) {
      i++;
    }
    return i;
  }
}
