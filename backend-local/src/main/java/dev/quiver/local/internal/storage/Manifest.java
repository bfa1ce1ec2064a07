package dev.quiver.local.internal.storage;

import dev.quiver.StorageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The file {@code MANIFEST}: which snapshot is current and which WAL sequence it covers. It is the
 * single commit point of a snapshot: a snapshot file exists before the manifest names it, and WAL
 * segments are deleted only after the manifest naming a newer snapshot is durable. Replaced by writing
 * {@code MANIFEST.tmp}, forcing it, renaming it over {@code MANIFEST} atomically and forcing the
 * directory. Body: generation i64 | snapshot file name (string) | covered sequence i64.
 *
 * @param generation increases with every snapshot
 * @param snapshotFile the snapshot's file name (no directory part)
 * @param coveredSequence the last WAL sequence the snapshot includes
 */
record Manifest(long generation, String snapshotFile, long coveredSequence) {

  static final String NAME = "MANIFEST";
  static final Pattern SNAPSHOT_NAME = Pattern.compile("snapshot-(\\d{20})\\.qsnap");

  static String snapshotName(long generation) {
    return String.format("snapshot-%020d.qsnap", generation);
  }

  static Manifest read(StorageIO io, Path file) {
    byte[] body = FileFormat.readVerified(io, file, FileFormat.Kind.MANIFEST);
    try {
      ByteReader r = new ByteReader(body);
      Manifest m = new Manifest(r.i64(), r.string(), r.i64());
      r.expectEnd();
      if (!SNAPSHOT_NAME.matcher(m.snapshotFile).matches()
          || !m.snapshotFile.equals(snapshotName(m.generation)) || m.coveredSequence < 0) {
        throw FileFormat.corrupt(file, "names an invalid snapshot " + m);
      }
      return m;
    } catch (FormatException e) {
      throw FileFormat.corrupt(file, e.getMessage());
    }
  }

  /** Writes, forces and atomically installs this manifest, then forces the directory. */
  void install(StorageIO io, Path dir) {
    Path tmp = dir.resolve(NAME + ".tmp");
    Path target = dir.resolve(NAME);
    try {
      io.deleteIfExists(tmp);
      try (StorageIO.StorageFile f = io.create(tmp)) {
        FileFormat.ChecksumOutput out = new FileFormat.ChecksumOutput(f, FileFormat.Kind.MANIFEST);
        ByteWriter w = new ByteWriter(64);
        w.i64(generation).string(snapshotFile).i64(coveredSequence);
        out.write(w.array(), 0, w.size());
        out.finish();
        f.force();
      }
      io.atomicMove(tmp, target);
      io.syncDirectory(dir);
    } catch (IOException e) {
      try {
        io.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new StorageException("installing " + target + " failed: " + e, e);
    }
  }
}
