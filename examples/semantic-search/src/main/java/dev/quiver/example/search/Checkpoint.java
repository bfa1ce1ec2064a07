package dev.quiver.example.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The documents an ingestion has written, so that a re-run skips them: one JSON line per document
 * ({@code {"tenant":…,"id":…,"tags":[…]}}), appended and forced to disk after the store acknowledged
 * the batch. A run killed between the store's acknowledgement and the append writes that batch again
 * next time — an upsert by the same chunk ids, so nothing is duplicated. A line torn by a kill is
 * dropped on open. The file also gives the server the tenants and tags it can offer as filters.
 *
 * <p>The first line names the collection and the store it belongs to; a checkpoint of another
 * collection or store is refused rather than trusted.
 */
public final class Checkpoint {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final Set<String> done = new HashSet<>();
  private final SortedSet<String> tenants = new TreeSet<>();
  private final SortedSet<String> tags = new TreeSet<>();

  private Checkpoint(Path file) {
    this.file = file;
  }

  /**
   * Opens (or starts) a checkpoint.
   *
   * @param file the checkpoint file
   * @param owner what it belongs to: the collection and a fingerprint of the store address
   * @param fresh start over (the collection was just created, so nothing in the file is stored)
   * @return the checkpoint
   * @throws IllegalStateException if the file belongs to another collection or store
   */
  public static Checkpoint open(Path file, String owner, boolean fresh) {
    Checkpoint cp = new Checkpoint(file);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      if (fresh || !Files.exists(file)) {
        ObjectNode header = JSON.createObjectNode().put("checkpoint", 1).put("owner", owner);
        Files.writeString(file, header + "\n", StandardCharsets.UTF_8);
        return cp;
      }
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      JsonNode header = lines.isEmpty() ? null : parse(lines.get(0));
      if (header == null || !owner.equals(header.path("owner").asText())) {
        throw new IllegalStateException(file + " is the checkpoint of " + (header == null ? "nothing readable"
            : "'" + header.path("owner").asText() + "'") + ", not of '" + owner + "': remove it or use another state directory");
      }
      long good = lines.get(0).getBytes(StandardCharsets.UTF_8).length + 1L;
      for (String line : lines.subList(1, lines.size())) {
        JsonNode n = parse(line);
        if (n == null || !n.has("id") || !n.has("tenant")) {
          break;                                    // a torn tail: everything after it is dropped too
        }
        cp.remember(n.get("tenant").asText(), n.get("id").asText(), n.path("tags"));
        good += line.getBytes(StandardCharsets.UTF_8).length + 1L;
      }
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        if (ch.size() > good) {
          ch.truncate(good);
        }
      }
      return cp;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot use the checkpoint " + file, e);
    }
  }

  private static JsonNode parse(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      return null;
    }
  }

  private void remember(String tenant, String id, JsonNode tagList) {
    done.add(tenant + '\0' + id);
    tenants.add(tenant);
    tagList.forEach(t -> tags.add(t.asText()));
  }

  /** @return whether the document was written by an earlier batch */
  public synchronized boolean done(Document d) {
    return done.contains(d.tenant() + '\0' + d.id());
  }

  /** @return how many documents are recorded */
  public synchronized int size() {
    return done.size();
  }

  /** @return the tenants of recorded documents, sorted */
  public synchronized SortedSet<String> tenants() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(tenants));
  }

  /** @return the tags of recorded documents, sorted */
  public synchronized SortedSet<String> tags() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(tags));
  }

  /** Records documents the store has acknowledged, and forces the file to disk. */
  public synchronized void append(List<Document> docs) {
    StringBuilder sb = new StringBuilder();
    for (Document d : docs) {
      ObjectNode n = JSON.createObjectNode().put("tenant", d.tenant()).put("id", d.id());
      var tagArray = n.putArray("tags");
      d.tags().forEach(tagArray::add);
      sb.append(n).append('\n');
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
      ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the checkpoint " + file, e);
    }
    for (Document d : docs) {
      done.add(d.tenant() + '\0' + d.id());
      tenants.add(d.tenant());
      tags.addAll(d.tags());
    }
  }
}
