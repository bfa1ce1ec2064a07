package dev.quiver.compare;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** The versions this build was made with (Quiver, and the vendor SDKs it pins), filled in by Maven. */
final class Versions {

  private static final Properties VERSIONS = load();

  private Versions() {}

  private static Properties load() {
    Properties p = new Properties();
    try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read versions.properties", e);
    }
    return p;
  }

  /**
   * @param name quiver, milvus-sdk-java, qdrant-client or chart.js
   * @return its version, or "unknown"
   */
  static String get(String name) {
    return VERSIONS.getProperty(name, "unknown");
  }

  /** @return the vendor SDK versions */
  static Map<String, String> sdks() {
    Map<String, String> m = new TreeMap<>();
    m.put("io.milvus:milvus-sdk-java", get("milvus-sdk-java"));
    m.put("io.qdrant:client", get("qdrant-client"));
    m.put("org.webjars.npm:chart.js", get("chart.js"));
    return m;
  }
}
