package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Metadata;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.Secret;
import dev.quiver.StoreClosedException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.VectorStoreException;
import dev.quiver.spi.VectorStoreProvider;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Store-level behaviour: URIs, TLS defaults, connection failures, secrets, and a few live checks. */
class MilvusStoreTest {

  @Test
  void providerIsRegisteredForBothSchemes() {
    List<String> schemes = new ArrayList<>();
    for (VectorStoreProvider p : Quiver.providers()) {
      schemes.addAll(p.schemes());
    }
    assertTrue(schemes.contains("milvus") && schemes.contains("milvus+tls"), schemes.toString());
  }

  @Test
  void uriOptionsAndTlsDefaults() {
    assertFalse(MilvusVectorStore.builder().uri("milvus://localhost:19530").resolvedTls());
    assertFalse(MilvusVectorStore.builder().uri("milvus://127.0.0.1:19530").resolvedTls());
    assertTrue(MilvusVectorStore.builder().uri("milvus://milvus.example.com:19530").resolvedTls(), "TLS by default off loopback");
    assertFalse(MilvusVectorStore.builder().uri("milvus://milvus.example.com:19530?tls=false").resolvedTls());
    assertTrue(MilvusVectorStore.builder().uri("milvus+tls://localhost:19530").resolvedTls());
    assertThrows(InvalidArgumentException.class, () -> MilvusVectorStore.builder().uri("milvus+tls://h:1?tls=false"));
    assertThrows(InvalidArgumentException.class, () -> MilvusVectorStore.builder().uri("milvus://h:1?tokn=x"));
    assertThrows(InvalidArgumentException.class, () -> MilvusVectorStore.builder().uri("qdrant://h:1"));
    assertThrows(InvalidArgumentException.class, () -> MilvusVectorStore.builder().uri("milvus://h:1?database=a-b"));
    assertFalse(MilvusVectorStore.builder().token(Secret.of("s3cr3t-token")).toString().contains("s3cr3t"));
  }

  @Test
  void unreachableServerFailsFastAsTransientWithoutLeakingTheToken() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    long t0 = System.nanoTime();
    VectorStoreException e = assertThrows(VectorStoreException.class, () -> MilvusVectorStore.builder()
        .uri("milvus://127.0.0.1:" + port + "?token=s3cr3t-token").connectTimeout(Duration.ofSeconds(2))
        .deadline(Duration.ofSeconds(2)).maxAttempts(1).build());
    assertInstanceOf(UnavailableException.class, e);
    assertTrue(e.isTransient());
    assertFalse(String.valueOf(e.getMessage()).contains("s3cr3t"), e.getMessage());
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains("s3cr3t"), t.toString());
    }
    assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "bounded by the connect timeout");
  }

  @Test
  void liveBasics() {
    try (MilvusVectorStore store = MilvusTestServer.open()) {
      String name = "store-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
      assertTrue(store.toString().startsWith("MilvusVectorStore["));
      assertThrows(CollectionNotFoundException.class, () -> store.collection(name));
      assertThrows(CollectionNotFoundException.class, () -> store.describeCollection(name));
      CollectionSpec spec = CollectionSpec.builder(name).dimension(4).index(IndexSpec.hnsw(8, 32)).build();
      VectorCollection c = store.createCollection(spec);
      try {
        assertTrue(store.listCollections().contains(name), "names with '-' are listed decoded");
        assertEquals(spec, store.describeCollection(name));
        assertEquals(spec, store.collection(name).spec());
        // the empty-filter trap: deleting no ids must not delete everything
        c.upsert(List.of(Record.of("a", new float[] {1, 0, 0, 0}, Metadata.of("k", 1))));
        c.delete(List.of());
        assertEquals(1, c.count());
        c.delete(Filter.eq("k", 2));
        assertEquals(1, c.count());
        assertFalse(c.updateMetadata("missing", Metadata.of("k", 3)));
        assertTrue(c.updateMetadata("a", Metadata.of("k", 3)));
        assertEquals(Metadata.of("k", 3L), c.get("a").orElseThrow().metadata());
        assertEquals(!store.isMilvusLite(), store.capabilities().supports(Feature.INDEX_IVF_PQ),
            "IVF_PQ is declared exactly where it is built (not on Lite); server " + store.serverVersion());
      } finally {
        assertTrue(store.dropCollection(name));
      }
      assertFalse(store.dropCollection(name));
    }
    VectorStore closed = MilvusTestServer.open();
    closed.close();
    assertThrows(StoreClosedException.class, closed::listCollections);
  }

  @Test
  void liteIsRecognisedByItsVersionString() {
    assertTrue(MilvusVectorStore.isMilvusLite("milvus_lite-3.2.2"));
    assertFalse(MilvusVectorStore.isMilvusLite("v2.3.5-lite"), "Embedded Milvus runs the real Milvus binaries");
    assertFalse(MilvusVectorStore.isMilvusLite("v2.6.4"));
    assertFalse(MilvusVectorStore.capabilities(true).supports(Feature.INDEX_IVF_PQ));
    assertTrue(MilvusVectorStore.capabilities(false).supports(Feature.INDEX_IVF_PQ));
  }
}
