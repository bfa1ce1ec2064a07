package dev.quiver.migrate;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A Quiver export file opened for reading: a read-only {@link VectorCollection}, so an import is a
 * {@link Migration} from this file (with the plan, checkpoints, resume and verification of any
 * migration). Opening checks the format version and reads the whole file once to check the
 * record count and SHA-256 recorded in its footer, so a damaged file is refused before anything is
 * imported. The format is described in {@link ExportFormat}. Thread-safe; close it when done.
 */
public final class ExportFile implements VectorCollection, AutoCloseable {

  private final Path file;
  private final BufferAllocator allocator;
  private FileChannel channel;
  private ArrowFileReader reader;
  private final CollectionSpec spec;
  private final String sha256;
  private final List<ArrowBlock> blocks;
  private final long[] firstRow; // first row of each block; firstRow[blocks] = total
  private int loaded = -1;
  private Map<String, Long> idIndex;

  private ExportFile(Path file) {
    this.file = file;
    this.allocator = new RootAllocator();
    try {
      this.channel = FileChannel.open(file, StandardOpenOption.READ);
      this.reader = new ArrowFileReader(channel, allocator);
      Schema schema = reader.getVectorSchemaRoot().getSchema();
      this.spec = ExportFormat.checkSchema(file, schema);
      this.blocks = List.copyOf(reader.getRecordBlocks());
      Map<String, String> footer = reader.getMetaData();
      this.firstRow = new long[blocks.size() + 1];
      ExportFormat.Digest digest = new ExportFormat.Digest();
      for (int b = 0; b < blocks.size(); b++) {
        load(b);
        VectorSchemaRoot root = reader.getVectorSchemaRoot();
        int n = root.getRowCount();
        for (int i = 0; i < n; i++) {
          digest.add(rowBytes(root, i));
        }
        firstRow[b + 1] = firstRow[b] + n;
      }
      this.sha256 = digest.hex();
      ExportFormat.checkFooter(file, footer, firstRow[blocks.size()], sha256);
    } catch (IOException | RuntimeException e) {
      closeQuietly();
      if (e instanceof ExportFormatException x) {
        throw x;
      }
      throw new ExportFormatException(file, "cannot be read as an Arrow IPC file (" + e + ")", e);
    }
  }

  /**
   * Opens and checks an export file.
   *
   * @param file the file
   * @return the file as a read-only collection
   * @throws ExportFormatException when it is not a valid, intact Quiver export
   */
  public static ExportFile open(Path file) {
    return new ExportFile(file);
  }

  /** @return the SHA-256 of the records, as recorded in the footer and checked on open */
  public String sha256() {
    return sha256;
  }

  /**
   * Compares this file with the collection it was exported from, record by record.
   *
   * @param source the collection
   * @param filter the export's filter, or {@code null}
   * @param listener hears the progress
   * @return the verification
   */
  public VerificationReport verifyAgainst(VectorCollection source, Filter filter, ProgressListener listener) {
    dev.quiver.Capabilities all = dev.quiver.Capabilities.builder("export-file").supportsNatively(Feature.values()).build();
    RecordPipeline identity = new RecordPipeline(null, new TargetProfile(all, spec));
    Verifier v = new Verifier(source, this, identity, ListRequest.of(1000).filter(filter), 0,
        new Retries(6, java.time.Duration.ofMillis(500), listener), 1, listener);
    return v.full(-1, false);
  }

  /** @return the file */
  public Path path() {
    return file;
  }

  private void load(int block) throws IOException {
    if (loaded != block) {
      if (!reader.loadRecordBatch(blocks.get(block))) {
        throw new IOException("record batch " + block + " cannot be loaded");
      }
      loaded = block;
    }
  }

  private static byte[][] rowBytes(VectorSchemaRoot root, int i) {
    VarCharVector ids = (VarCharVector) root.getVector(ExportFormat.ID);
    FixedSizeListVector vectors = (FixedSizeListVector) root.getVector(ExportFormat.VECTOR);
    Float4Vector floats = (Float4Vector) vectors.getDataVector();
    VarCharVector meta = (VarCharVector) root.getVector(ExportFormat.METADATA);
    VarCharVector types = (VarCharVector) root.getVector(ExportFormat.METADATA_TYPES);
    int dim = vectors.getListSize();
    byte[] vec = new byte[dim * 4];
    java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(vec).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int j = 0; j < dim; j++) {
      bb.putFloat(floats.get(i * dim + j));
    }
    return new byte[][] {ids.get(i), vec, meta.get(i), types.get(i)};
  }

  private Record row(long row) {
    int b = block(row);
    VectorSchemaRoot root;
    try {
      load(b);
      root = reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw new ExportFormatException(file, "cannot read record batch " + b + " (" + e + ")", e);
    }
    byte[][] bytes = rowBytes(root, (int) (row - firstRow[b]));
    java.nio.FloatBuffer fb = java.nio.ByteBuffer.wrap(bytes[1]).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    float[] v = new float[fb.remaining()];
    fb.get(v);
    String id = new String(bytes[0], StandardCharsets.UTF_8);
    Metadata m;
    try {
      m = MetadataJson.decode(new String(bytes[2], StandardCharsets.UTF_8), new String(bytes[3], StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new ExportFormatException(file, "record '" + id + "': " + e.getMessage(), e);
    }
    return Record.of(id, v, m);
  }

  private int block(long row) {
    int lo = 0;
    int hi = blocks.size() - 1;
    while (lo < hi) {
      int mid = (lo + hi + 1) >>> 1;
      if (firstRow[mid] <= row) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  }

  private long total() {
    return firstRow[blocks.size()];
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public synchronized Page list(ListRequest request) {
    Filter filter = request.filter().orElse(null);
    String tag = ExportFormat.cursorTag(sha256, filter);
    long row = request.cursor().map(c -> ExportFormat.parseCursor(c, tag)).orElse(0L);
    List<Record> out = new ArrayList<>();
    while (row < total() && out.size() < request.pageSize()) {
      Record r = row(row++);
      if (filter == null || filter.matches(r.metadata())) {
        out.add(r);
      }
    }
    return new Page(out, row < total() ? java.util.Optional.of(ExportFormat.cursor(row, tag)) : java.util.Optional.empty());
  }

  @Override
  public synchronized List<Record> get(Collection<String> ids) {
    if (idIndex == null) {
      Map<String, Long> index = new HashMap<>();
      for (long r = 0; r < total(); r++) {
        index.put(row(r).id(), r);
      }
      idIndex = index;
    }
    List<Record> out = new ArrayList<>();
    for (String id : Record.checkIds(ids)) {
      Long r = idIndex.get(id);
      if (r != null) {
        out.add(row(r));
      }
    }
    return out;
  }

  @Override
  public long count() {
    return total();
  }

  @Override
  public synchronized long count(Filter filter) {
    long n = 0;
    for (long r = 0; r < total(); r++) {
      n += filter.matches(row(r).metadata()) ? 1 : 0;
    }
    return n;
  }

  @Override
  public List<Match> search(SearchRequest request) {
    throw new UnsupportedFeatureException("export-file", Feature.FILTERED_SEARCH,
        "an export file is not searchable; import it into a store first");
  }

  @Override
  public void upsert(List<Record> records) {
    throw readOnly();
  }

  @Override
  public void delete(Collection<String> ids) {
    throw readOnly();
  }

  @Override
  public void delete(Filter filter) {
    throw readOnly();
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    throw readOnly();
  }

  private InvalidArgumentException readOnly() {
    return new InvalidArgumentException("export file " + file + " is read-only; import it into a store to change it");
  }

  @Override
  public synchronized void close() {
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      if (reader != null) {
        reader.close();
      }
      if (channel != null) {
        channel.close();
      }
    } catch (IOException | RuntimeException ignored) {
      // nothing to do
    }
    allocator.close();
  }
}
