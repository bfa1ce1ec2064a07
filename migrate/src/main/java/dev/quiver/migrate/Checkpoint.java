package dev.quiver.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of a migration on disk, replaced atomically (write a temporary file, fsync, rename over
 * the old one, fsync the directory) after every acknowledged batch. A crash at any moment leaves
 * either the old or the new state, never a torn file. The state names the migration by a
 * fingerprint, so a resume with another source, target, filter or transforms is refused.
 *
 * @param fingerprint identifies the migration (source, target, filter, transforms, target spec)
 * @param state {@code STARTED}, {@code COPIED} (all pages written, verification pending) or {@code DONE}
 * @param cursor the source cursor of the first page not yet acknowledged; {@code null} to start from the beginning
 * @param written records acknowledged by the target so far, over all runs
 * @param skipped records skipped (by a transform or as incompatible) so far, over all runs
 * @param updatedAt when this state was written
 */
public record Checkpoint(String fingerprint, String state, String cursor, long written, long skipped, String updatedAt) {

  /** Format version written in every checkpoint. */
  public static final int VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * @param fingerprint the migration's fingerprint
   * @return the state of a migration that has not copied anything yet
   */
  static Checkpoint start(String fingerprint) {
    return new Checkpoint(fingerprint, "STARTED", null, 0, 0, Instant.now().toString());
  }

  Checkpoint advance(String nextCursor, long moreWritten, long moreSkipped) {
    // the page without a next cursor is the last one: everything is copied
    return new Checkpoint(fingerprint, nextCursor == null ? "COPIED" : "STARTED", nextCursor, written + moreWritten,
        skipped + moreSkipped, Instant.now().toString());
  }

  Checkpoint withState(String newState) {
    return new Checkpoint(fingerprint, newState, cursor, written, skipped, Instant.now().toString());
  }

  /**
   * @param path a checkpoint file
   * @return its state, or {@code null} when the file does not exist
   * @throws CheckpointException if it cannot be read or parsed
   */
  public static Checkpoint read(Path path) {
    try {
      byte[] bytes = Files.readAllBytes(path);
      @SuppressWarnings("unchecked")
      Map<String, Object> m = JSON.readValue(bytes, Map.class);
      Object version = m.get("version");
      if (!(version instanceof Number n) || n.intValue() != VERSION) {
        throw new CheckpointException(path, "unknown checkpoint version " + version + " (this code reads " + VERSION + ")", null);
      }
      return new Checkpoint((String) m.get("fingerprint"), (String) m.get("state"), (String) m.get("cursor"),
          ((Number) m.get("written")).longValue(), ((Number) m.get("skipped")).longValue(), (String) m.get("updatedAt"));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | ClassCastException | NullPointerException e) {
      throw new CheckpointException(path, "cannot be read (" + e + ")", e);
    }
  }

  /**
   * Replaces the file at {@code path} with this state, atomically and durably.
   *
   * @param path the checkpoint file
   * @throws CheckpointException if it cannot be written
   */
  public void write(Path path) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("version", VERSION);
    m.put("fingerprint", fingerprint);
    m.put("state", state);
    m.put("cursor", cursor);
    m.put("written", written);
    m.put("skipped", skipped);
    m.put("updatedAt", updatedAt);
    Path abs = path.toAbsolutePath();
    Path dir = abs.getParent();
    Path tmp = dir.resolve(abs.getFileName() + ".tmp");
    try {
      Files.createDirectories(dir);
      byte[] bytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new CheckpointException(path, "the file system cannot rename atomically; put the checkpoint elsewhere", e);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      } catch (IOException ignored) {
        // some file systems cannot fsync a directory; the rename is still atomic
      }
    } catch (IOException e) {
      throw new CheckpointException(path, "cannot be written (" + e + ")", e);
    }
  }
}
