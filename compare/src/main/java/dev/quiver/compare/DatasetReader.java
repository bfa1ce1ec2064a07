package dev.quiver.compare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.migrate.ExportFile;
import dev.quiver.migrate.ExportFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * Reads a {@link Dataset} from files or from an existing collection.
 *
 * <ul>
 *   <li>{@code .fvecs}: one record per vector, ids {@code "0"}, {@code "1"}, …, no metadata;</li>
 *   <li>{@code .jsonl} / {@code .ndjson}: one JSON object per line, {@code {"id": "a", "vector": [0.1, …],
 *       "metadata": {"k": "v", "n": 3, "x": 0.5, "b": true, "tags": ["x"]}}} (metadata optional; integers are
 *       longs, decimals doubles, arrays lists of strings; no nulls).</li>
 *   <li>a Quiver export file ({@code quiver export}, {@code dev.quiver.migrate.ExportFormat}): an Arrow IPC
 *       file, recognised by the extension {@code .arrow} / {@code .feather} or by the Arrow file magic, and
 *       opened with {@link ExportFile#open}, which checks its format version, record count and checksum.
 *       Ids, vectors and typed metadata are read as they were exported, and the metric comes from the
 *       collection spec it carries.</li>
 * </ul>
 * Queries come from a file of the same kinds, or are held out of the records (chosen with the seed)
 * so that no query is its own nearest neighbour.
 */
public final class DatasetReader {

  private static final ObjectMapper JSON = new ObjectMapper();
  /** The first bytes of every Arrow IPC file. */
  private static final byte[] ARROW_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

  private DatasetReader() {}

  /**
   * @param data the records file (.fvecs, .jsonl or a Quiver export file)
   * @param queries a queries file (.fvecs, .jsonl or an export file), or null to hold queries out of the records
   * @param groundTruth an .ivecs of neighbour indexes per query (needs {@code queries}), or null
   * @param metric the metric, or null for the one in an export file's collection spec (cosine for the other
   *     formats, which carry none)
   * @param queryCount queries to hold out (or to read at most from {@code queries})
   * @param limit records to read at most (≤ 0: all)
   * @param seed seed of the hold-out choice
   * @return the dataset
   * @throws IOException if a file cannot be read
   * @throws InvalidArgumentException if a file is malformed or the options do not fit together
   * @throws MetricMismatchException if {@code metric} differs from the one in an export file's spec
   * @throws ExportFormatException if an export file is not a valid, intact Quiver export
   */
  public static Dataset read(Path data, Path queries, Path groundTruth, Metric metric, int queryCount, int limit,
      long seed) throws IOException {
    if (groundTruth != null && queries == null) {
      throw new InvalidArgumentException("a ground-truth file (" + groundTruth + ") needs the queries file it was made"
          + " for; give --queries too");
    }
    if (queryCount < 1) {
      throw new InvalidArgumentException("the number of queries must be at least 1, got " + queryCount);
    }
    List<Record> records;
    String exported = "";
    if (isExportFile(data)) {
      try (ExportFile file = ExportFile.open(data)) {
        Metric inFile = file.spec().metric();
        if (metric != null && metric != inFile) {
          throw new MetricMismatchException(data, file.spec().name(), metric, inFile);
        }
        metric = inFile;
        records = exportRecords(file, limit);
        exported = " (Quiver export of collection " + file.spec().name() + ", " + file.count() + " records, metric "
            + MetricMismatchException.name(inFile) + ")";
      }
    } else {
      records = records(data, limit);
      metric = metric == null ? Metric.COSINE : metric;
    }
    List<float[]> qs = new ArrayList<>();
    if (queries != null) {
      for (Record r : records(queries, queryCount)) {
        qs.add(r.vector());
      }
    } else {
      if (records.size() < queryCount + 1) {
        throw new InvalidArgumentException(data + " has " + records.size() + " records: too few to hold out "
            + queryCount + " queries");
      }
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < records.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(seed));
      boolean[] held = new boolean[records.size()];
      for (int i = 0; i < queryCount; i++) {
        held[order.get(i)] = true;
        qs.add(records.get(order.get(i)).vector());
      }
      List<Record> kept = new ArrayList<>(records.size() - queryCount);
      for (int i = 0; i < records.size(); i++) {
        if (!held[i]) {
          kept.add(records.get(i));
        }
      }
      records = kept;
    }
    List<int[]> gt = groundTruth == null ? null : VecFiles.readIvecs(groundTruth, qs.size());
    if (gt != null && gt.size() < qs.size()) {
      throw new InvalidArgumentException(groundTruth + " has " + gt.size() + " rows for " + qs.size() + " queries");
    }
    for (float[] q : qs) {
      if (q.length != records.get(0).dimension()) {
        throw new InvalidArgumentException("query dimension " + q.length + " differs from the records' "
            + records.get(0).dimension());
      }
    }
    List<Path> hashed = new ArrayList<>(List.of(data));
    Optional.ofNullable(queries).ifPresent(hashed::add);
    Optional.ofNullable(groundTruth).ifPresent(hashed::add);
    String source = String.join(" + ", hashed.stream().map(p -> p.getFileName().toString()).toList()) + exported
        + (limit > 0 ? " (first " + limit + " records)" : "")
        + (queries == null ? ", " + queryCount + " queries held out with seed " + seed : "");
    return new Dataset(baseName(data), source, sha256(hashed), metric, records, qs, gt);
  }

  /**
   * Reads an existing collection with a full scroll; queries are records chosen with the seed (they
   * stay in the collection) unless a queries file is given.
   *
   * @param collection the collection
   * @param queries a queries file, or null
   * @param queryCount number of queries
   * @param seed seed of the choice
   * @param progress progress of the scroll
   * @return the dataset
   * @throws IOException if the queries file cannot be read
   */
  public static Dataset fromCollection(VectorCollection collection, Path queries, int queryCount, long seed,
      Progress progress) throws IOException {
    List<Record> records = new ArrayList<>();
    long total = collection.count();
    Progress.Bar bar = progress.bar("read " + collection.name(), total);
    ListRequest request = ListRequest.of(1000);
    while (true) {
      Page page = collection.list(request);
      records.addAll(page.records());
      bar.set(records.size());
      if (page.nextCursor().isEmpty()) {
        break;
      }
      request = ListRequest.of(1000).cursor(page.nextCursor().get());
    }
    bar.done();
    if (records.isEmpty()) {
      throw new InvalidArgumentException("collection " + collection.name() + " is empty: nothing to compare");
    }
    records.sort((a, b) -> a.id().compareTo(b.id()));
    List<float[]> qs = new ArrayList<>();
    if (queries != null) {
      records(queries, queryCount).forEach(r -> qs.add(r.vector()));
    } else {
      Random random = new Random(seed);
      for (int i = 0; i < queryCount; i++) {
        qs.add(records.get(random.nextInt(records.size())).vector());
      }
    }
    MessageDigest md = digest();
    for (Record r : records) {
      md.update((r.id() + "\n" + java.util.Arrays.toString(r.vector()) + "\n" + r.metadata() + "\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    return new Dataset(collection.name(), "existing collection " + collection.name() + " (" + records.size()
        + " records)", HexFormat.of().formatHex(md.digest()), collection.spec().metric(), records, qs, null);
  }

  /**
   * @param path a .fvecs, .jsonl or Quiver export file
   * @param limit records to read at most (≤ 0: all)
   * @return its records
   * @throws IOException if it cannot be read
   * @throws ExportFormatException if an export file is not a valid, intact Quiver export
   */
  public static List<Record> records(Path path, int limit) throws IOException {
    if (isExportFile(path)) {
      try (ExportFile file = ExportFile.open(path)) {
        return exportRecords(file, limit);
      }
    }
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".fvecs")) {
      List<float[]> vectors = VecFiles.readFvecs(path, limit);
      List<Record> out = new ArrayList<>(vectors.size());
      for (int i = 0; i < vectors.size(); i++) {
        out.add(Record.of(Integer.toString(i), vectors.get(i)));
      }
      return nonEmpty(out, path);
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) {
      return nonEmpty(jsonLines(path, limit), path);
    }
    throw new InvalidArgumentException("unknown input format of " + path + ": expected .fvecs, .jsonl, .ndjson or"
        + " a Quiver export file (.arrow)");
  }

  /**
   * Whether a file is to be read as a Quiver export: its name ends in {@code .arrow} or {@code .feather},
   * or it starts with the Arrow IPC file magic. Whether it really is a Quiver export (and intact) is
   * checked when it is opened.
   *
   * @param path a file
   * @return whether it is read as an export file
   */
  public static boolean isExportFile(Path path) {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".arrow") || name.endsWith(".feather")) {
      return true;
    }
    if (name.endsWith(".fvecs") || name.endsWith(".jsonl") || name.endsWith(".ndjson") || !Files.isRegularFile(path)) {
      return false;
    }
    byte[] head = new byte[ARROW_MAGIC.length];
    try (InputStream in = Files.newInputStream(path)) {
      return in.readNBytes(head, 0, head.length) == head.length && java.util.Arrays.equals(head, ARROW_MAGIC);
    } catch (IOException e) {
      return false; // reported as an unknown format, or by the reader of its extension
    }
  }

  private static List<Record> exportRecords(ExportFile file, int limit) {
    List<Record> out = new ArrayList<>();
    ListRequest request = ListRequest.of(1000);
    while (limit <= 0 || out.size() < limit) {
      Page page = file.list(request);
      for (Record r : page.records()) {
        if (limit > 0 && out.size() >= limit) {
          break;
        }
        out.add(r);
      }
      if (page.nextCursor().isEmpty()) {
        break;
      }
      request = ListRequest.of(1000).cursor(page.nextCursor().get());
    }
    return nonEmpty(out, file.path());
  }

  private static List<Record> nonEmpty(List<Record> records, Path path) {
    if (records.isEmpty()) {
      throw new InvalidArgumentException(path + " holds no records");
    }
    return records;
  }

  private static List<Record> jsonLines(Path path, int limit) throws IOException {
    List<Record> out = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null && (limit <= 0 || out.size() < limit)) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String where = path.getFileName() + " line " + lineNo;
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new InvalidArgumentException(where + ": not JSON: " + e.getOriginalMessage());
        }
        out.add(record(node, where, out.size()));
      }
    }
    return out;
  }

  private static Record record(JsonNode node, String where, int index) {
    if (!node.isObject()) {
      throw new InvalidArgumentException(where + ": expected an object {\"id\", \"vector\", \"metadata\"}");
    }
    JsonNode idNode = node.get("id");
    String id = idNode == null ? Integer.toString(index) : idNode.isTextual() ? idNode.asText()
        : idNode.isIntegralNumber() ? idNode.asText() : null;
    if (id == null) {
      throw new InvalidArgumentException(where + ": \"id\" must be a string or an integer");
    }
    JsonNode vec = node.get("vector");
    if (vec == null || !vec.isArray() || vec.isEmpty()) {
      throw new InvalidArgumentException(where + ": \"vector\" must be a non-empty array of numbers");
    }
    float[] v = new float[vec.size()];
    for (int i = 0; i < v.length; i++) {
      if (!vec.get(i).isNumber()) {
        throw new InvalidArgumentException(where + ": vector element " + i + " is not a number");
      }
      v[i] = vec.get(i).floatValue();
    }
    JsonNode meta = node.get("metadata");
    Metadata metadata = Metadata.empty();
    if (meta != null && !meta.isNull()) {
      if (!meta.isObject()) {
        throw new InvalidArgumentException(where + ": \"metadata\" must be an object");
      }
      Map<String, Object> m = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = meta.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        m.put(e.getKey(), value(e.getValue(), where + ", metadata key \"" + e.getKey() + "\""));
      }
      try {
        metadata = Metadata.from(m);
      } catch (InvalidArgumentException e) {
        throw new InvalidArgumentException(where + ": " + e.getMessage(), e);
      }
    }
    try {
      return Record.of(id, v, metadata);
    } catch (InvalidArgumentException e) {
      throw new InvalidArgumentException(where + ": " + e.getMessage(), e);
    }
  }

  private static Object value(JsonNode v, String where) {
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw new InvalidArgumentException(where + ": integer " + v + " does not fit in 64 bits");
      }
      return v.longValue();
    }
    if (v.isNumber()) {
      return v.doubleValue();
    }
    if (v.isArray()) {
      List<String> list = new ArrayList<>();
      for (JsonNode e : v) {
        if (!e.isTextual()) {
          throw new InvalidArgumentException(where + ": lists may hold only strings, found " + e.getNodeType());
        }
        list.add(e.asText());
      }
      return list;
    }
    throw new InvalidArgumentException(where + ": unsupported value " + v.getNodeType()
        + " (strings, integers, decimals, booleans and lists of strings; leave a key out instead of null)");
  }

  static String sha256(List<Path> files) throws IOException {
    MessageDigest md = digest();
    byte[] buf = new byte[1 << 16];
    for (Path p : files) {
      try (InputStream in = Files.newInputStream(p)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static MessageDigest digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  private static String baseName(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot > 0 ? n.substring(0, dot) : n;
  }
}
