package dev.quiver.migrate;

import dev.quiver.CollectionSpec;
import dev.quiver.IndexSpec;
import dev.quiver.Metric;
import java.util.LinkedHashMap;
import java.util.Map;

/** Collection specs as plain maps (for JSON: reports, checkpoints, export files) and back. */
final class Specs {

  private Specs() {}

  static Map<String, Object> toMap(CollectionSpec s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    m.put("dimension", s.dimension());
    m.put("metric", s.metric().name());
    IndexSpec i = s.index();
    if (i instanceof IndexSpec.Hnsw h) {
      m.put("index", "HNSW");
      m.put("m", h.m());
      m.put("efConstruction", h.efConstruction());
    } else if (i instanceof IndexSpec.IvfPq p) {
      m.put("index", p.quantized() ? "IVF_PQ" : "IVF_FLAT");
      m.put("nlist", p.nlist());
      m.put("subspaces", p.subspaces());
      m.put("bits", p.bits());
    } else {
      m.put("index", "FLAT");
    }
    return m;
  }

  static CollectionSpec fromMap(Map<String, ?> m) {
    String index = (String) m.get("index");
    IndexSpec i = switch (index) {
      case "FLAT" -> IndexSpec.flat();
      case "HNSW" -> IndexSpec.hnsw(num(m, "m"), num(m, "efConstruction"));
      case "IVF_FLAT" -> IndexSpec.ivfFlat(num(m, "nlist"));
      case "IVF_PQ" -> IndexSpec.ivfPq(num(m, "nlist"), num(m, "subspaces"), num(m, "bits"));
      default -> throw new IllegalArgumentException("unknown index kind '" + index + "'");
    };
    return CollectionSpec.builder((String) m.get("name")).dimension(num(m, "dimension"))
        .metric(Metric.valueOf((String) m.get("metric"))).index(i).build();
  }

  private static int num(Map<String, ?> m, String key) {
    return ((Number) m.get(key)).intValue();
  }

  /**
   * Parses a CLI index spelling: {@code flat}, {@code hnsw}, {@code hnsw:M,EF}, {@code ivf-flat:NLIST},
   * {@code ivf-pq:NLIST,M,BITS}.
   *
   * @param text the spelling
   * @return the index
   */
  static IndexSpec parseIndex(String text) {
    String[] parts = text.trim().toLowerCase(java.util.Locale.ROOT).split(":", 2);
    String[] args = parts.length > 1 ? parts[1].split(",") : new String[0];
    return switch (parts[0]) {
      case "flat" -> IndexSpec.flat();
      case "hnsw" -> args.length == 0 ? IndexSpec.hnsw(16, 200)
          : IndexSpec.hnsw(Integer.parseInt(args[0].trim()), Integer.parseInt(args[1].trim()));
      case "ivf-flat", "ivf_flat" -> IndexSpec.ivfFlat(Integer.parseInt(args[0].trim()));
      case "ivf-pq", "ivf_pq" -> IndexSpec.ivfPq(Integer.parseInt(args[0].trim()),
          Integer.parseInt(args[1].trim()), Integer.parseInt(args[2].trim()));
      default -> throw new dev.quiver.InvalidArgumentException("unknown index '" + text
          + "': use flat, hnsw, hnsw:M,EF, ivf-flat:NLIST or ivf-pq:NLIST,M,BITS");
    };
  }
}
