package dev.quiver.milvus;

import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.milvus.MilvusContainer;

/**
 * Where the Milvus tests run: {@code QUIVER_MILVUS_URI} (for example the Milvus Lite server that
 * {@code scripts/test.sh} starts), else a Testcontainers {@code MilvusContainer} when Docker is
 * available, else nowhere: the tests are then skipped with the reason printed, never passed.
 */
final class MilvusTestServer {

  private static final String IMAGE = "milvusdb/milvus:v2.6.4";
  private static String uri;
  private static String skipReason;
  private static boolean resolved;
  private static MilvusContainer container;

  private MilvusTestServer() {}

  /** @return the server's URI, or aborts the running test with the reason */
  static synchronized String uri() {
    if (!resolved) {
      resolve();
      resolved = true;
    }
    if (uri == null) {
      System.out.println("SKIPPED (no Milvus server): " + skipReason);
      Assumptions.abort(skipReason);
    }
    return uri;
  }

  private static void resolve() {
    String env = System.getenv("QUIVER_MILVUS_URI");
    if (env != null && !env.isBlank()) {
      uri = env.trim();
      System.out.println("Milvus tests run against QUIVER_MILVUS_URI=" + uri.replaceAll("\\?.*", "?..."));
      return;
    }
    boolean docker;
    try {
      docker = DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      docker = false;
    }
    if (!docker) {
      skipReason = "QUIVER_MILVUS_URI is not set and no Docker engine is available for Testcontainers;"
          + " run scripts/test.sh (starts Milvus Lite) or set QUIVER_MILVUS_URI=milvus://host:port";
      return;
    }
    try {
      container = new MilvusContainer(IMAGE).withStartupTimeout(Duration.ofMinutes(3));
      container.start();
      uri = "milvus://" + container.getHost() + ":" + container.getMappedPort(19530);
      System.out.println("Milvus tests run against Testcontainers " + IMAGE + " at " + uri);
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop));
    } catch (RuntimeException e) {
      skipReason = "Docker is available but the Milvus container did not start: " + e;
    }
  }

  /** The variable naming a real Milvus server (scripts/milvus-server.sh starts Milvus 2.3.5 for scripts/test.sh). */
  static final String SERVER_ENV = "QUIVER_MILVUS_SERVER_URI";
  private static boolean serverSkipPrinted;

  /**
   * @return the address of the real Milvus server of {@code QUIVER_MILVUS_SERVER_URI}, or aborts the
   *     running test with the reason when it is not set
   */
  static synchronized String serverUri() {
    String env = System.getenv(SERVER_ENV);
    if (env == null || env.isBlank()) {
      String reason = SERVER_ENV + " is not set; run scripts/test.sh (starts Milvus 2.3.5 with"
          + " scripts/milvus-server.sh) or set " + SERVER_ENV + "=milvus://host:port";
      if (!serverSkipPrinted) {
        serverSkipPrinted = true;
        System.out.println("SKIPPED (no real Milvus server): " + reason);
      }
      Assumptions.abort(reason);
    }
    return env.trim();
  }

  /** @return a new store on the real Milvus server of {@code QUIVER_MILVUS_SERVER_URI} (see {@link #serverUri()}) */
  static MilvusVectorStore openServer() {
    return MilvusVectorStore.builder().uri(serverUri()).deadline(Duration.ofSeconds(60)).build();
  }

  /**
   * @param quiverUri a {@code milvus://host:port...} address
   * @return the address for the Milvus SDK's own client ({@code http://host:port}, no options)
   */
  static String sdkUri(String quiverUri) {
    return quiverUri.replaceFirst("^milvus://([^/?]*).*$", "http://$1");
  }

  /** @return a new store on the test server */
  static MilvusVectorStore open() {
    return MilvusVectorStore.builder().uri(uri()).deadline(Duration.ofSeconds(60)).build();
  }
}
