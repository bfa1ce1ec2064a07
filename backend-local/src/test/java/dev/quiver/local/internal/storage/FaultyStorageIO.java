package dev.quiver.local.internal.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link StorageIO} over the real file system that fails on purpose: the Nth write or force, a disk
 * that fills up after a byte budget, a write torn after some bytes, the Nth rename or directory sync.
 * Counting starts when a fault is armed. It also remembers how much of each file was forced, so
 * {@link #simulatePowerLoss} can drop (a random part of) everything that was never fsynced, which a
 * process kill cannot show because the page cache survives it.
 */
final class FaultyStorageIO implements StorageIO {

  private final StorageIO real = StorageIO.standard();
  private final AtomicLong writes = new AtomicLong();
  private final AtomicLong forces = new AtomicLong();
  private final AtomicLong moves = new AtomicLong();
  private final AtomicLong dirSyncs = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private volatile long failWriteAt = -1;
  private volatile long tearWriteAt = -1;
  private volatile int tearKeep;
  private volatile long failForceAt = -1;
  private volatile long failMoveAt = -1;
  private volatile long failDirSyncAt = -1;
  private volatile long diskBudget = -1;
  private final Map<Path, Long> synced = new ConcurrentHashMap<>();

  /** Fails the {@code n}th write from now (1 = the next) without writing anything. */
  FaultyStorageIO failWrite(long n) {
    failWriteAt = writes.get() + n;
    return this;
  }

  /** Writes only {@code keep} bytes of the {@code n}th write from now, then fails. */
  FaultyStorageIO tearWrite(long n, int keep) {
    tearKeep = keep;
    tearWriteAt = writes.get() + n;
    return this;
  }

  /** Fails the {@code n}th force from now. */
  FaultyStorageIO failForce(long n) {
    failForceAt = forces.get() + n;
    return this;
  }

  /** Fails the {@code n}th atomic move from now. */
  FaultyStorageIO failMove(long n) {
    failMoveAt = moves.get() + n;
    return this;
  }

  /** Fails the {@code n}th directory sync from now. */
  FaultyStorageIO failDirSync(long n) {
    failDirSyncAt = dirSyncs.get() + n;
    return this;
  }

  /** After {@code budget} more bytes, every write fails like ENOSPC (writing what still fits first). */
  FaultyStorageIO diskFullAfter(long budget) {
    diskBudget = bytes.get() + budget;
    return this;
  }

  /** Disarms every fault. */
  FaultyStorageIO heal() {
    failWriteAt = tearWriteAt = failForceAt = failMoveAt = failDirSyncAt = diskBudget = -1;
    return this;
  }

  /**
   * Truncates every file written through this object to its last forced length plus a random part of
   * the bytes written after it, as a power cut may. Files must be closed (the store closed or
   * abandoned) first.
   */
  void simulatePowerLoss(Random random) throws IOException {
    for (Map.Entry<Path, Long> e : synced.entrySet()) {
      Path p = e.getKey();
      if (!Files.exists(p)) {
        continue;
      }
      long size = Files.size(p);
      long keep = e.getValue();
      if (size > keep) {
        long cut = keep + (long) (random.nextDouble() * (size - keep + 1));
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
          ch.truncate(Math.min(size, cut));
        }
      }
    }
  }

  private static IOException injected(String what) {
    return new IOException("injected failure: " + what);
  }

  @Override
  public StorageFile openRead(Path path) throws IOException {
    return real.openRead(path);
  }

  @Override
  public StorageFile create(Path path) throws IOException {
    StorageFile f = new Faulty(real.create(path));
    synced.put(path, 0L);
    return f;
  }

  @Override
  public StorageFile openAppend(Path path) throws IOException {
    StorageFile f = real.openAppend(path);
    synced.putIfAbsent(path, f.size());
    return new Faulty(f);
  }

  @Override
  public void atomicMove(Path source, Path target) throws IOException {
    if (moves.incrementAndGet() == failMoveAt) {
      throw injected("rename " + source);
    }
    real.atomicMove(source, target);
    Long s = synced.remove(source);
    if (s != null) {
      synced.put(target, s);
    }
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    real.deleteIfExists(path);
    synced.remove(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (dirSyncs.incrementAndGet() == failDirSyncAt) {
      throw injected("directory sync " + dir);
    }
    real.syncDirectory(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return real.list(dir);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    real.createDirectories(dir);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    return real.tryLock(lockFile);
  }

  private final class Faulty implements StorageFile {
    private final StorageFile file;

    Faulty(StorageFile file) {
      this.file = file;
    }

    @Override
    public Path path() {
      return file.path();
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
      long n = writes.incrementAndGet();
      if (n == failWriteAt) {
        throw injected("write #" + n + " to " + path());
      }
      if (n == tearWriteAt) {
        int keep = Math.min(tearKeep, src.remaining());
        ByteBuffer part = src.duplicate();
        part.limit(part.position() + keep);
        file.write(part);
        bytes.addAndGet(keep);
        throw injected("torn write #" + n + " to " + path() + " after " + keep + " bytes");
      }
      long budget = diskBudget;
      if (budget >= 0) {
        long room = budget - bytes.get();
        if (room < src.remaining()) {
          if (room > 0) {
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + (int) room);
            file.write(part);
            bytes.addAndGet(room);
          }
          throw new IOException("No space left on device (injected) writing " + path());
        }
      }
      int len = src.remaining();
      file.write(src);
      bytes.addAndGet(len);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return file.read(dst, position);
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public void force() throws IOException {
      long n = forces.incrementAndGet();
      if (n == failForceAt) {
        throw injected("force #" + n + " of " + path());
      }
      file.force();
      synced.put(path(), file.size());
    }

    @Override
    public void truncate(long size) throws IOException {
      file.truncate(size);
      synced.computeIfPresent(path(), (p, s) -> Math.min(s, size));
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
