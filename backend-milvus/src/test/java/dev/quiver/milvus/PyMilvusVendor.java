package dev.quiver.milvus;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.quiver.Record;
import dev.quiver.conformance.VendorCollection;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/**
 * The vendor's own client for {@link dev.quiver.conformance.ForeignCollectionKit}: pymilvus, in the
 * {@code .venv-milvus} that {@code scripts/milvus-lite.sh} installs, running
 * {@code src/test/resources/pymilvus_vendor.py} as one long-lived process that answers one JSON request
 * per line. Without the venv the calling kit class is skipped with the reason printed.
 */
final class PyMilvusVendor implements AutoCloseable {

  private static final Gson GSON = new Gson();
  private final Process process;
  private final BufferedWriter in;
  private final BufferedReader out;

  private PyMilvusVendor(Process process) {
    this.process = process;
    this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /**
   * @param sdkUri the server ({@code http://host:port})
   * @return a running vendor client; aborts the test (skip) when pymilvus is not installed
   */
  static PyMilvusVendor start(String sdkUri) {
    Path python = Path.of("..", ".venv-milvus", "bin", "python");
    Path script = Path.of("src", "test", "resources", "pymilvus_vendor.py");
    if (!Files.isExecutable(python) || !Files.exists(script)) {
      String reason = "pymilvus is not installed at " + python.toAbsolutePath().normalize()
          + " (scripts/milvus-lite.sh start installs it)";
      System.out.println("SKIPPED (no vendor client): " + reason);
      Assumptions.abort(reason);
    }
    try {
      Path log = Path.of("target", "pymilvus-vendor.log");
      Files.createDirectories(log.getParent());
      Process p = new ProcessBuilder(python.toString(), script.toString(), sdkUri)
          .redirectError(ProcessBuilder.Redirect.appendTo(new File(log.toString()))).start();
      return new PyMilvusVendor(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the pymilvus vendor client", e);
    }
  }

  /** Sends one request, returns the answer's value; fails on the vendor's error. */
  synchronized JsonElement call(Map<String, Object> request) {
    try {
      in.write(GSON.toJson(request));
      in.write('\n');
      in.flush();
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("the pymilvus vendor client exited (see target/pymilvus-vendor.log)");
      }
      JsonObject answer = JsonParser.parseString(line).getAsJsonObject();
      if (answer.has("error")) {
        throw new IllegalStateException("pymilvus: " + answer.get("error").getAsString());
      }
      return answer.get("ok");
    } catch (IOException e) {
      throw new IllegalStateException("cannot talk to the pymilvus vendor client", e);
    }
  }

  /**
   * Creates and fills a collection with pymilvus.
   *
   * @param name collection name
   * @param layout one of the layouts of pymilvus_vendor.py
   * @param records the records (ids, vectors, metadata as the layout stores them)
   * @return the vendor's view of it
   */
  VendorCollection create(String name, String layout, List<Record> records) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Record r : records) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", r.id());
      row.put("vector", r.vector());
      row.put("metadata", r.metadata().asMap());
      rows.add(row);
    }
    call(Map.of("op", "create", "name", name, "layout", layout, "records", rows));
    return new View(name);
  }

  @Override
  public void close() {
    try {
      in.close();
      process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
    } catch (IOException | InterruptedException e) {
      // the process is destroyed below either way
    } finally {
      process.destroy();
    }
  }

  private final class View implements VendorCollection {
    private final String name;

    View(String name) {
      this.name = name;
    }

    @Override
    public long count() {
      return call(Map.of("op", "count", "name", name)).getAsLong();
    }

    @Override
    public List<String> ids() {
      List<String> out = new ArrayList<>();
      call(Map.of("op", "ids", "name", name)).getAsJsonArray().forEach(e -> out.add(e.getAsString()));
      return out;
    }

    @Override
    public Optional<Map<String, Object>> get(String id) {
      JsonElement row = call(Map.of("op", "get", "name", name, "id", id));
      if (row == null || row.isJsonNull()) {
        return Optional.empty();
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, JsonElement> e : row.getAsJsonObject().entrySet()) {
        out.put(e.getKey(), plain(e.getValue()));
      }
      return Optional.of(out);
    }

    @Override
    public List<String> search(float[] query, int k, String category) {
      Map<String, Object> req = new LinkedHashMap<>();
      req.put("op", "search");
      req.put("name", name);
      req.put("vector", query);
      req.put("k", k);
      req.put("category", category);
      List<String> out = new ArrayList<>();
      call(req).getAsJsonArray().forEach(e -> out.add(e.getAsString()));
      return out;
    }

    @Override
    public void drop() {
      try {
        call(Map.of("op", "drop", "name", name));
      } finally {
        close();
      }
    }
  }

  /** JSON as the kit compares it: strings, booleans, longs (integral numbers), doubles, lists. */
  private static Object plain(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    if (e.isJsonArray()) {
      List<Object> out = new ArrayList<>();
      e.getAsJsonArray().forEach(x -> out.add(plain(x)));
      return out;
    }
    if (e.isJsonObject()) {
      return e.toString();
    }
    var p = e.getAsJsonPrimitive();
    if (p.isBoolean()) {
      return p.getAsBoolean();
    }
    if (p.isString()) {
      return p.getAsString();
    }
    String t = p.getAsString();
    return t.contains(".") || t.contains("e") || t.contains("E") ? (Object) p.getAsDouble() : (Object) p.getAsLong();
  }
}
