package dev.quiver.milvus;

/** {@link MilvusFaultTest} against real Milvus ({@code QUIVER_MILVUS_SERVER_URI}); skipped when it is not set. */
class MilvusServerFaultTest extends MilvusFaultTest {

  @Override
  String serverUri() {
    return MilvusTestServer.serverUri();
  }

  @Override
  String label() {
    return "Milvus 2.3";
  }
}
