package dev.quiver.local.internal.storage;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link StorageIO} on the real file system through {@link FileChannel}. */
final class FileStorageIO implements StorageIO {

  static final FileStorageIO INSTANCE = new FileStorageIO();

  private FileStorageIO() {}

  @Override
  public StorageFile openRead(Path path) throws IOException {
    return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ), false);
  }

  @Override
  public StorageFile create(Path path) throws IOException {
    return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE), true);
  }

  @Override
  public StorageFile openAppend(Path path) throws IOException {
    return new ChannelFile(path, FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE), true);
  }

  @Override
  public void atomicMove(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void deleteIfExists(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    // Opening a directory for reading and forcing it is how a JVM fsyncs a directory on Linux and
    // macOS; Windows refuses to open directories, and there renames are durable without it.
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows")) {
        throw e;
      }
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(Files::isRegularFile).sorted().forEach(out::add);
    }
    return out;
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public Closeable tryLock(Path lockFile) throws IOException {
    FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      lock = null; // held by another store open in this very JVM
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      return null;
    }
    FileLock held = lock;
    return () -> {
      try {
        held.release();
      } finally {
        ch.close();
      }
    };
  }

  /** A {@link StorageFile} over one {@link FileChannel}. */
  private static final class ChannelFile implements StorageFile {
    private final Path path;
    private final FileChannel channel;
    private final boolean writable;
    private long end;

    ChannelFile(Path path, FileChannel channel, boolean writable) throws IOException {
      this.path = path;
      this.channel = channel;
      this.writable = writable;
      this.end = channel.size();
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
      if (!writable) {
        throw new IOException("opened read-only: " + path);
      }
      // Positional writes at our own end offset keep appends correct even after truncate().
      while (src.hasRemaining()) {
        end += channel.write(src, end);
      }
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return channel.read(dst, position);
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public void force() throws IOException {
      channel.force(false);
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
      end = Math.min(end, size);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
