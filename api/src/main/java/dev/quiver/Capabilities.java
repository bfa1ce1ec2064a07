package dev.quiver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend does natively, what it emulates, and what it cannot do. Asking a backend for a
 * feature it declares {@link Support#UNSUPPORTED} throws {@link UnsupportedFeatureException} before
 * any data is touched.
 */
public final class Capabilities {

  /** How a backend provides a feature. */
  public enum Support {
    /** The backend does it itself. */
    NATIVE,
    /** The adapter builds it from other calls (correct, possibly slower). */
    EMULATED,
    /** Not available; using it throws {@link UnsupportedFeatureException}. */
    UNSUPPORTED
  }

  /** When a write becomes visible to reads. */
  public enum Consistency {
    /** A read issued after a write returned sees it. */
    STRONG,
    /** A write becomes visible to reads after a short, unspecified delay. */
    EVENTUAL
  }

  /**
   * One feature's support.
   *
   * @param feature the feature
   * @param support how it is provided
   * @param note why, or how it is emulated; never {@code null}
   */
  public record Entry(Feature feature, Support support, String note) {
    /** Validates the entry. */
    public Entry {
      Objects.requireNonNull(feature, "feature");
      Objects.requireNonNull(support, "support");
      note = note == null ? "" : note;
    }
  }

  private final String backend;
  private final Consistency consistency;
  private final int maxTopK;
  private final int maxDimension;
  private final Map<Feature, Entry> entries;

  private Capabilities(Builder b) {
    this.backend = b.backend;
    this.consistency = b.consistency;
    this.maxTopK = b.maxTopK;
    this.maxDimension = b.maxDimension;
    EnumMap<Feature, Entry> map = new EnumMap<>(Feature.class);
    for (Feature f : Feature.values()) {
      map.put(f, b.entries.getOrDefault(f, new Entry(f, Support.UNSUPPORTED, "not offered by " + backend)));
    }
    this.entries = Collections.unmodifiableMap(map);
  }

  /**
   * @param backend the backend's short name, used in messages and reports (for example {@code "local"})
   * @return a builder where every feature starts out unsupported
   */
  public static Builder builder(String backend) {
    return new Builder(backend);
  }

  /** @return the backend's short name */
  public String backend() {
    return backend;
  }

  /** @return when writes become visible to reads */
  public Consistency consistency() {
    return consistency;
  }

  /** @return the largest top-k a search may ask for */
  public int maxTopK() {
    return maxTopK;
  }

  /** @return the largest vector dimension a collection may have */
  public int maxDimension() {
    return maxDimension;
  }

  /**
   * @param feature a feature
   * @return how this backend provides it
   */
  public Entry entry(Feature feature) {
    return entries.get(feature);
  }

  /**
   * @param feature a feature
   * @return {@code true} when the feature is native or emulated
   */
  public boolean supports(Feature feature) {
    return entries.get(feature).support() != Support.UNSUPPORTED;
  }

  /**
   * Throws unless the feature is available.
   *
   * @param feature the feature about to be used
   * @throws UnsupportedFeatureException naming the backend, the feature and the reason
   */
  public void require(Feature feature) {
    Entry e = entries.get(feature);
    if (e.support() == Support.UNSUPPORTED) {
      throw new UnsupportedFeatureException(backend, feature, e.note());
    }
  }

  /** @return every feature's entry, in {@link Feature} order */
  public List<Entry> entries() {
    return List.copyOf(entries.values());
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Capabilities[").append(backend).append(", ").append(consistency);
    for (Entry e : entries.values()) {
      sb.append(", ").append(e.feature()).append('=').append(e.support());
    }
    return sb.append(']').toString();
  }

  /** Builds {@link Capabilities}; features not mentioned are unsupported. */
  public static final class Builder {
    private final String backend;
    private final Map<Feature, Entry> entries = new EnumMap<>(Feature.class);
    private Consistency consistency = Consistency.STRONG;
    private int maxTopK = 10_000;
    private int maxDimension = 65_536;

    private Builder(String backend) {
      if (backend == null || backend.isBlank()) {
        throw new InvalidArgumentException("backend name must not be blank");
      }
      this.backend = backend;
    }

    /**
     * @param features features the backend does itself
     * @return this builder
     */
    public Builder supportsNatively(Feature... features) {
      for (Feature f : features) {
        entries.put(f, new Entry(f, Support.NATIVE, ""));
      }
      return this;
    }

    /**
     * @param feature a feature the adapter builds from other calls
     * @param how how, in a sentence
     * @return this builder
     */
    public Builder emulates(Feature feature, String how) {
      entries.put(feature, new Entry(feature, Support.EMULATED, how));
      return this;
    }

    /**
     * @param feature a feature the backend cannot offer
     * @param reason why, in a sentence; shown in errors and reports
     * @return this builder
     */
    public Builder lacks(Feature feature, String reason) {
      entries.put(feature, new Entry(feature, Support.UNSUPPORTED, reason));
      return this;
    }

    /**
     * @param consistency when writes become visible
     * @return this builder
     */
    public Builder consistency(Consistency consistency) {
      this.consistency = Objects.requireNonNull(consistency, "consistency");
      return this;
    }

    /**
     * @param maxTopK largest top-k a search may ask for
     * @return this builder
     */
    public Builder maxTopK(int maxTopK) {
      this.maxTopK = maxTopK;
      return this;
    }

    /**
     * @param maxDimension largest vector dimension
     * @return this builder
     */
    public Builder maxDimension(int maxDimension) {
      this.maxDimension = maxDimension;
      return this;
    }

    /** @return the capabilities */
    public Capabilities build() {
      return new Capabilities(this);
    }
  }

  /** @return the features declared unsupported, for reports */
  public List<Entry> unsupported() {
    List<Entry> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      if (e.support() == Support.UNSUPPORTED) {
        out.add(e);
      }
    }
    return out;
  }
}
