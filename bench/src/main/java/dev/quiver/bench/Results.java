package dev.quiver.bench;

import java.util.ArrayList;
import java.util.List;

/** What one run measured. */
final class Results {

  private Results() {}

  /** One point of the ef sweep. */
  record Point(int ef, double recall, double qps1, double qpsAll) {}

  /** One point of the filtered benchmark. */
  record FilterPoint(double selectivity, int ef, double recall, double qps1) {}

  /** One engine (in one runtime) on one dataset. */
  static final class EngineRun {
    final String engine;
    final String runtime;
    String status = "ok";
    String reason = "";
    String notes = "";
    double buildSeconds = Double.NaN;
    /** Training (IVF, PQ), included in {@link #buildSeconds}; NaN for the others. */
    double trainSeconds = Double.NaN;
    /** Bytes of the index beyond the stored vectors, as the engine reports it; -1 when unknown. */
    long indexBytes = -1;
    long memoryDelta = -1;
    int n;
    int dim;
    final List<Point> sweep = new ArrayList<>();
    final List<FilterPoint> filtered = new ArrayList<>();

    EngineRun(String engine, String runtime) {
      this.engine = engine;
      this.runtime = runtime;
    }

    String label() {
      return runtime.isEmpty() ? engine : engine + " (" + runtime + ")";
    }

    boolean ok() {
      return "ok".equals(status);
    }

    /** @return total bytes per vector (heap or RSS delta over N), or NaN */
    double bytesPerVector() {
      return memoryDelta < 0 || n == 0 ? Double.NaN : (double) memoryDelta / n;
    }

    /** @return whether this is an IVF engine or a PQ peer (reported in the IVF tables) */
    boolean ivf() {
      return BenchMain.IVF_ENGINES.contains(engine);
    }

    /** @return index bytes per vector, or NaN */
    double indexBytesPerVector() {
      return indexBytes < 0 || n == 0 ? Double.NaN : (double) indexBytes / n;
    }

    /** @return bytes per vector beyond the raw float32 vector itself */
    double overheadPerVector() {
      return Double.isNaN(bytesPerVector()) ? Double.NaN : bytesPerVector() - 4.0 * dim;
    }
  }

  /** One dataset and every engine's run on it. */
  record DatasetRun(Datasets.Prepared data, List<EngineRun> runs) {}
}
