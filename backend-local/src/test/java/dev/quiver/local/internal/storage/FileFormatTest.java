package dev.quiver.local.internal.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.StorageException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileFormatTest {

  @TempDir
  Path dir;

  private Path writeManifest() {
    new Manifest(7, Manifest.snapshotName(7), 42).install(StorageIO.standard(), dir);
    return dir.resolve(Manifest.NAME);
  }

  @Test
  void envelopeRoundTrips() {
    Path file = writeManifest();
    assertEquals(new Manifest(7, Manifest.snapshotName(7), 42), Manifest.read(StorageIO.standard(), file));
    assertTrue(Files.notExists(dir.resolve(Manifest.NAME + ".tmp")));
  }

  @Test
  void everySingleByteFlipIsDetectedAndNamesTheFile() throws Exception {
    Path file = writeManifest();
    byte[] good = Files.readAllBytes(file);
    for (int i = 0; i < good.length; i++) {
      byte[] bad = good.clone();
      bad[i] ^= 0x10;
      Files.write(file, bad);
      StorageException e = assertThrows(StorageException.class, () -> Manifest.read(StorageIO.standard(), file), "byte " + i);
      assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
      assertThrows(StorageException.class, () -> FileFormat.verifyStreaming(StorageIO.standard(), file, FileFormat.Kind.MANIFEST));
    }
  }

  @Test
  void truncationAndWrongKindAndNewerVersionAreRefused() throws Exception {
    Path file = writeManifest();
    byte[] good = Files.readAllBytes(file);
    for (int cut = 0; cut < good.length; cut++) {
      Files.write(file, java.util.Arrays.copyOf(good, cut));
      assertThrows(StorageException.class, () -> Manifest.read(StorageIO.standard(), file), "cut at " + cut);
    }
    Files.write(file, good);
    StorageException kind = assertThrows(StorageException.class,
        () -> FileFormat.readVerified(StorageIO.standard(), file, FileFormat.Kind.SNAPSHOT));
    assertTrue(kind.getMessage().contains("expected SNAPSHOT"), kind.getMessage());
    byte[] newer = good.clone();
    newer[6] = 9; // version low byte
    Files.write(file, newer);
    StorageException version = assertThrows(StorageException.class, () -> Manifest.read(StorageIO.standard(), file));
    assertTrue(version.getMessage().contains("newer Quiver"), version.getMessage());
  }

  @Test
  void headersAcceptTheVersionRangeOfTheirKind() {
    for (FileFormat.Kind kind : FileFormat.Kind.values()) {
      for (int version = 0; version <= kind.version + 1; version++) {
        byte[] header = {0x51, 0x56, 0x52, 0x46, (byte) kind.code, 0, (byte) version, 0};
        int v = version;
        if (version >= kind.oldest && version <= kind.version) {
          FileFormat.checkHeader(header, 0, header.length, kind);
        } else {
          FormatException e = assertThrows(FormatException.class, () -> FileFormat.checkHeader(header, 0, header.length, kind),
              kind + " version " + v);
          assertEquals(version > kind.version, e.getMessage().contains("newer Quiver"), e.getMessage());
        }
      }
    }
    assertEquals(1, FileFormat.Kind.SNAPSHOT.oldest, "stores of format version 1 still open");
    assertEquals(2, FileFormat.Kind.SNAPSHOT.version);
    assertEquals(1, FileFormat.Kind.WAL_SEGMENT.oldest);
    assertEquals(2, FileFormat.Kind.WAL_SEGMENT.version);
  }
}
