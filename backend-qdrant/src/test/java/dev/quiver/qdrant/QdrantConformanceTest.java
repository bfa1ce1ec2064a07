package dev.quiver.qdrant;

import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import dev.quiver.conformance.VectorStoreConformanceKit;
import org.junit.jupiter.api.Assumptions;

/**
 * The conformance kit against a real Qdrant, wherever one is reachable: the address in the
 * environment variable {@code QUIVER_QDRANT_URL} (for example {@code qdrant://127.0.0.1:6334}, as
 * printed by {@code scripts/qdrant-edge-server.sh start}), else a Testcontainers
 * {@code QdrantContainer} ({@value #IMAGE}) when a Docker engine is available. Where neither exists,
 * every case is aborted with the reason (printed once on standard output), so the run and the
 * deviation report show them as skipped, never as passed.
 */
class QdrantConformanceTest extends VectorStoreConformanceKit {

  /** The image the container runs: the server version the adapter was written against. */
  static final String IMAGE = "qdrant/qdrant:v1.18.3";

  @Override
  protected VectorStore createStore() {
    Target t = Target.INSTANCE;
    if (t.url == null) {
      Assumptions.abort(t.reason);
    }
    return Quiver.open(t.url);
  }

  /** The data lives in the server, so a new connection must find it. */
  @Override
  protected VectorStore reopenStore(VectorStore closed) {
    return Quiver.open(Target.INSTANCE.url);
  }

  /** Where the server is, found once per JVM. */
  static final class Target {
    static final Target INSTANCE = find();

    final String url;
    final String reason;

    private Target(String url, String reason) {
      this.url = url;
      this.reason = reason;
    }

    private static Target find() {
      String env = System.getenv("QUIVER_QDRANT_URL");
      if (env != null && !env.isBlank()) {
        System.out.println("Qdrant conformance kit: running against QUIVER_QDRANT_URL (" + dev.quiver.StoreUri.parse(env) + ")");
        return new Target(env.trim(), null);
      }
      String why;
      try {
        if (org.testcontainers.DockerClientFactory.instance().isDockerAvailable()) {
          org.testcontainers.qdrant.QdrantContainer c = new org.testcontainers.qdrant.QdrantContainer(IMAGE);
          c.start();
          String url = "qdrant://" + c.getHost() + ":" + c.getMappedPort(6334);
          System.out.println("Qdrant conformance kit: running against Testcontainers " + IMAGE + " at " + url);
          return new Target(url, null);
        }
        why = "no Docker engine";
      } catch (RuntimeException | LinkageError e) {
        why = "Testcontainers could not start " + IMAGE + ": " + e;
      }
      String reason = "SKIPPED: no Qdrant server to run the conformance kit against (" + why
          + ", and QUIVER_QDRANT_URL is not set). Start one with scripts/qdrant-edge-server.sh or Docker.";
      System.out.println("Qdrant conformance kit: " + reason);
      return new Target(null, reason);
    }
  }
}
