package dev.quiver.migrate;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The export file format, version 1: an <b>Arrow IPC file</b> (Feather v2; {@code pyarrow.ipc.open_file},
 * {@code pandas.read_feather}) with one row per record and four columns:
 *
 * <table>
 *   <caption>columns</caption>
 *   <tr><th>column</th><th>Arrow type</th><th>content</th></tr>
 *   <tr><td>{@code id}</td><td>utf8</td><td>the record id</td></tr>
 *   <tr><td>{@code vector}</td><td>fixed_size_list&lt;float32&gt;[dimension]</td><td>the vector</td></tr>
 *   <tr><td>{@code metadata}</td><td>utf8</td><td>JSON object; longs as integer literals, doubles always with a fraction or exponent</td></tr>
 *   <tr><td>{@code metadata_types}</td><td>utf8</td><td>JSON object: key to {@code string|long|double|bool|list<string>}</td></tr>
 * </table>
 *
 * <p>Schema metadata: {@code quiver.format = quiver-export}, {@code quiver.format_version = 1},
 * {@code quiver.spec} (the collection spec as JSON), {@code quiver.filter} (the export's filter, or
 * empty), {@code quiver.created}. Footer metadata (written last): {@code quiver.records} and
 * {@code quiver.sha256}, the SHA-256 over every row in order of: the id's UTF-8 length (4 bytes,
 * big-endian) and bytes, the vector as little-endian float32, then the {@code metadata} and
 * {@code metadata_types} texts, each as UTF-8 length (4 bytes, big-endian) and bytes.
 */
public final class ExportFormat {

  /** Value of {@code quiver.format}. */
  public static final String FORMAT = "quiver-export";
  /** The version this code writes and reads. */
  public static final int VERSION = 1;

  static final String ID = "id";
  static final String VECTOR = "vector";
  static final String METADATA = "metadata";
  static final String METADATA_TYPES = "metadata_types";
  static final String K_FORMAT = "quiver.format";
  static final String K_VERSION = "quiver.format_version";
  static final String K_SPEC = "quiver.spec";
  static final String K_FILTER = "quiver.filter";
  static final String K_RECORDS = "quiver.records";
  static final String K_SHA = "quiver.sha256";

  private ExportFormat() {}

  /**
   * What an export wrote.
   *
   * @param file the file
   * @param records records written
   * @param bytes the file's size
   * @param sha256 the checksum in its footer
   * @param seconds how long it took
   */
  public record Summary(Path file, long records, long bytes, String sha256, double seconds) {
    /** @return the summary as JSON-ready maps */
    public Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("file", file.toString());
      m.put("records", records);
      m.put("bytes", bytes);
      m.put("sha256", sha256);
      m.put("seconds", seconds);
      return m;
    }
  }

  /**
   * Writes every record of {@code source} (that matches {@code filter}) to {@code file}, replacing it
   * atomically at the end (a crash leaves no half-written file under that name).
   *
   * @param source the collection
   * @param filter the records to export, or {@code null} for all
   * @param file the file to write
   * @param batchSize records per page read and per Arrow record batch
   * @param listener hears the progress
   * @return what was written
   * @throws ExportFormatException when the file cannot be written
   */
  public static Summary write(VectorCollection source, Filter filter, Path file, int batchSize, ProgressListener listener) {
    long t0 = System.nanoTime();
    CollectionSpec spec = source.spec();
    int dim = spec.dimension();
    Path abs = file.toAbsolutePath();
    Path tmp = abs.resolveSibling(abs.getFileName() + ".partial");
    Map<String, String> footer = new HashMap<>();
    Digest digest = new Digest();
    long n = 0;
    listener.phase("export", filter == null ? source.count() : -1, 0);
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema(spec, filter), alloc);
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        ArrowFileWriter writer = new ArrowFileWriter(root, null, ch, footer)) {
      writer.start();
      VarCharVector ids = (VarCharVector) root.getVector(ID);
      FixedSizeListVector vectors = (FixedSizeListVector) root.getVector(VECTOR);
      VarCharVector meta = (VarCharVector) root.getVector(METADATA);
      VarCharVector types = (VarCharVector) root.getVector(METADATA_TYPES);
      ListRequest req = ListRequest.of(batchSize).filter(filter);
      String cursor = null;
      do {
        Page page = source.list(req.cursor(cursor));
        root.allocateNew();
        Float4Vector floats = (Float4Vector) vectors.getDataVector();
        List<Record> records = page.records();
        for (int i = 0; i < records.size(); i++) {
          Record r = records.get(i);
          byte[] id = r.id().getBytes(StandardCharsets.UTF_8);
          float[] v = r.vector();
          MetadataJson.Encoded m = MetadataJson.encode(r.metadata());
          byte[] mv = m.values().getBytes(StandardCharsets.UTF_8);
          byte[] mt = m.types().getBytes(StandardCharsets.UTF_8);
          ids.setSafe(i, id);
          vectors.setNotNull(i);
          ByteBuffer vb = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
          for (int j = 0; j < dim; j++) {
            floats.setSafe(i * dim + j, v[j]);
            vb.putFloat(v[j]);
          }
          meta.setSafe(i, mv);
          types.setSafe(i, mt);
          digest.add(new byte[][] {id, vb.array(), mv, mt});
        }
        root.setRowCount(records.size());
        if (!records.isEmpty()) {
          writer.writeBatch();
        }
        n += records.size();
        listener.progress(n, 0);
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      footer.put(K_RECORDS, Long.toString(n));
      footer.put(K_SHA, digest.hex());
      writer.end();
      ch.force(true);
    } catch (IOException e) {
      throw new ExportFormatException(file, "cannot be written (" + e + ")", e);
    }
    try {
      Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new Summary(file, n, Files.size(abs), footer.get(K_SHA), (System.nanoTime() - t0) / 1e9);
    } catch (IOException e) {
      throw new ExportFormatException(file, "cannot be moved into place (" + e + ")", e);
    }
  }

  static Schema schema(CollectionSpec spec, Filter filter) {
    Map<String, String> meta = new LinkedHashMap<>();
    meta.put(K_FORMAT, FORMAT);
    meta.put(K_VERSION, Integer.toString(VERSION));
    try {
      meta.put(K_SPEC, MetadataJson.JSON.writeValueAsString(Specs.toMap(spec)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    meta.put(K_FILTER, filter == null ? "" : filter.toString());
    meta.put("quiver.created", Instant.now().toString());
    Field item = new Field("item", FieldType.notNullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)), null);
    return new Schema(List.of(
        new Field(ID, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
        new Field(VECTOR, FieldType.notNullable(new ArrowType.FixedSizeList(spec.dimension())), List.of(item)),
        new Field(METADATA, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null),
        new Field(METADATA_TYPES, FieldType.notNullable(ArrowType.Utf8.INSTANCE), null)), meta);
  }

  static CollectionSpec checkSchema(Path file, Schema schema) {
    Map<String, String> meta = schema.getCustomMetadata();
    if (meta == null || !FORMAT.equals(meta.get(K_FORMAT))) {
      throw new ExportFormatException(file, "not a Quiver export (schema metadata " + K_FORMAT + " is not '" + FORMAT + "')", null);
    }
    if (!Integer.toString(VERSION).equals(meta.get(K_VERSION))) {
      throw new ExportFormatException(file, "format version " + meta.get(K_VERSION) + " is not supported; this"
          + " Quiver reads version " + VERSION, null);
    }
    CollectionSpec spec;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = MetadataJson.JSON.readValue(meta.get(K_SPEC), Map.class);
      spec = Specs.fromMap(m);
    } catch (IOException | RuntimeException e) {
      throw new ExportFormatException(file, "the collection spec in the schema cannot be read (" + e + ")", e);
    }
    for (String col : List.of(ID, VECTOR, METADATA, METADATA_TYPES)) {
      if (schema.getFields().stream().noneMatch(f -> f.getName().equals(col))) {
        throw new ExportFormatException(file, "column '" + col + "' is missing", null);
      }
    }
    if (!(schema.findField(VECTOR).getType() instanceof ArrowType.FixedSizeList l) || l.getListSize() != spec.dimension()) {
      throw new ExportFormatException(file, "column 'vector' is not a fixed-size list of " + spec.dimension() + " floats", null);
    }
    return spec;
  }

  static void checkFooter(Path file, Map<String, String> footer, long records, String sha256) {
    if (footer == null || footer.get(K_SHA) == null || footer.get(K_RECORDS) == null) {
      throw new ExportFormatException(file, "the footer has no record count or checksum (an interrupted export?)", null);
    }
    if (!footer.get(K_RECORDS).equals(Long.toString(records))) {
      throw new ExportFormatException(file, "the footer says " + footer.get(K_RECORDS) + " records, the file holds " + records, null);
    }
    if (!footer.get(K_SHA).equals(sha256)) {
      throw new ExportFormatException(file, "checksum mismatch: the footer says " + footer.get(K_SHA)
          + ", the data gives " + sha256 + " (the file is damaged or was changed)", null);
    }
  }

  static String cursorTag(String fileSha, Filter filter) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest((fileSha + "|" + filter).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String cursor(long row, String tag) {
    return "xf1." + Base64.getUrlEncoder().withoutPadding().encodeToString(Long.toString(row).getBytes(StandardCharsets.UTF_8))
        + "." + tag;
  }

  static long parseCursor(String cursor, String tag) {
    String[] p = cursor.split("\\.");
    try {
      if (p.length == 3 && p[0].equals("xf1") && p[2].equals(tag)) {
        return Long.parseLong(new String(Base64.getUrlDecoder().decode(p[1]), StandardCharsets.UTF_8));
      }
    } catch (IllegalArgumentException e) {
      // fall through
    }
    throw new InvalidArgumentException("cursor was not made by this export file with this filter");
  }

  /** The running SHA-256 of the rows. */
  static final class Digest {
    private final MessageDigest md;

    Digest() {
      try {
        md = MessageDigest.getInstance("SHA-256");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }

    /** @param row id, vector (little-endian float32), metadata, metadata_types */
    void add(byte[][] row) {
      lengthAndBytes(row[0]);
      md.update(row[1]);
      lengthAndBytes(row[2]);
      lengthAndBytes(row[3]);
    }

    private void lengthAndBytes(byte[] b) {
      md.update(ByteBuffer.allocate(4).putInt(b.length).array());
      md.update(b);
    }

    String hex() {
      try {
        return HexFormat.of().formatHex(((MessageDigest) md.clone()).digest());
      } catch (CloneNotSupportedException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
