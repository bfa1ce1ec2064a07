package dev.quiver.migrate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Record;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What one target collection can hold, record by record: built from the target store's
 * {@link Capabilities} and the target spec, plus the per-record metadata size limit of the backends
 * that have one (Pinecone: 40 KB of JSON including the adapter's type tags), which capabilities do
 * not declare. Ids need no check: every Quiver id (at most 512 UTF-8 bytes of well-formed Unicode)
 * is accepted by every backend, which maps it where the vendor is narrower.
 */
public final class TargetProfile {

  /** Pinecone's limit on a record's metadata, as JSON, in bytes. */
  public static final int PINECONE_METADATA_BYTES = 40 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Capabilities capabilities;
  private final CollectionSpec spec;
  private final int metadataLimit;

  /**
   * @param capabilities the target store's capabilities
   * @param spec the target collection's spec (existing, or the one it will be created with)
   */
  public TargetProfile(Capabilities capabilities, CollectionSpec spec) {
    this.capabilities = capabilities;
    this.spec = spec;
    this.metadataLimit = "pinecone".equals(capabilities.backend()) ? PINECONE_METADATA_BYTES : 0;
  }

  /** @return the target spec */
  public CollectionSpec spec() {
    return spec;
  }

  /** @return the target's capabilities */
  public Capabilities capabilities() {
    return capabilities;
  }

  /**
   * Whether any record of a collection with {@code sourceSpec} could fail {@link #check}, when
   * records are copied unchanged. When not, the plan needs no scan of the data: every count is 0.
   *
   * @param sourceSpec the source collection's spec
   * @return true when the data must be scanned
   */
  public boolean dataChecksNeeded(CollectionSpec sourceSpec) {
    boolean zeroVectorsPossible = sourceSpec.metric() != Metric.COSINE;
    boolean zeroVectorsRefused = spec.metric() == Metric.COSINE || !capabilities.supports(Feature.ZERO_VECTORS);
    return sourceSpec.dimension() != spec.dimension()
        || (zeroVectorsPossible && zeroVectorsRefused)
        || !capabilities.supports(Feature.EXACT_LONGS)
        || metadataLimit > 0;
  }

  /**
   * @param r a record about to be written
   * @return every issue that stops the target from holding it; empty when it fits
   */
  public List<Issue> check(Record r) {
    List<Issue> issues = new ArrayList<>(1);
    if (r.dimension() != spec.dimension()) {
      issues.add(Issue.DIMENSION_MISMATCH);
    }
    if ((spec.metric() == Metric.COSINE || !capabilities.supports(Feature.ZERO_VECTORS)) && isZero(r.vector())) {
      issues.add(Issue.ZERO_VECTOR);
    }
    boolean exactLongs = capabilities.supports(Feature.EXACT_LONGS);
    for (Map.Entry<String, Object> e : r.metadata().asMap().entrySet()) {
      if (e.getKey().startsWith(Metadata.RESERVED_PREFIX) && !issues.contains(Issue.RESERVED_KEY)) {
        issues.add(Issue.RESERVED_KEY);
      }
      if (!exactLongs && e.getValue() instanceof Long l && (l > Transform.MAX_EXACT_LONG || l < -Transform.MAX_EXACT_LONG)
          && !issues.contains(Issue.INEXACT_LONG)) {
        issues.add(Issue.INEXACT_LONG);
      }
    }
    if (metadataLimit > 0 && pineconeMetadataBytes(r) > metadataLimit) {
      issues.add(Issue.METADATA_TOO_LARGE);
    }
    return issues;
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }

  /**
   * The size of a record's metadata as the Pinecone adapter encodes it: the values as JSON, a
   * {@code __quiver_n_<key>} tag per number, and {@code __quiver_id} when the escaped id is too long.
   *
   * @param r a record
   * @return bytes of JSON
   */
  static int pineconeMetadataBytes(Record r) {
    ObjectNode out = JSON.createObjectNode();
    ObjectNode tags = JSON.createObjectNode();
    for (Map.Entry<String, Object> e : r.metadata().asMap().entrySet()) {
      Object v = e.getValue();
      if (v instanceof String s) {
        out.put(e.getKey(), s);
      } else if (v instanceof Long l) {
        out.put(e.getKey(), l);
        tags.put("__quiver_n_" + e.getKey(), "l");
      } else if (v instanceof Double d) {
        out.put(e.getKey(), d);
        tags.put("__quiver_n_" + e.getKey(), "d");
      } else if (v instanceof Boolean b) {
        out.put(e.getKey(), b);
      } else if (v instanceof List<?> list) {
        ArrayNode arr = out.putArray(e.getKey());
        list.forEach(x -> arr.add((String) x));
      }
    }
    out.setAll(tags);
    int escaped = 0;
    for (byte b : r.id().getBytes(StandardCharsets.UTF_8)) {
      escaped += (b > 0x20 && b < 0x7f && b != '%') ? 1 : 3;
    }
    if (escaped > 512) {
      out.put("__quiver_id", r.id());
    }
    try {
      return JSON.writeValueAsBytes(out).length;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
