package dev.quiver.milvus;

/** {@link MilvusFieldsAndTenantsTest} against real Milvus ({@code QUIVER_MILVUS_SERVER_URI}, Milvus 2.3.5 in scripts/test.sh). */
class MilvusServerFieldsAndTenantsTest extends MilvusFieldsAndTenantsTest {

  @Override
  MilvusVectorStore openStore() {
    return MilvusTestServer.openServer();
  }

  @Override
  String sdkUri() {
    return MilvusTestServer.sdkUri(MilvusTestServer.serverUri());
  }

  @Override
  boolean nullableFields() {
    return false;
  }
}
