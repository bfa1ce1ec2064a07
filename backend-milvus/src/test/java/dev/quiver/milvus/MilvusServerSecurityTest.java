package dev.quiver.milvus;

/** {@link MilvusSecurityTest} against real Milvus ({@code QUIVER_MILVUS_SERVER_URI}); skipped when it is not set. */
class MilvusServerSecurityTest extends MilvusSecurityTest {

  @Override
  MilvusVectorStore open() {
    return MilvusTestServer.openServer();
  }
}
