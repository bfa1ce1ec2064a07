package dev.quiver.milvus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Quiver;
import dev.quiver.Secret;
import dev.quiver.StoreClosedException;
import dev.quiver.UnavailableException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.conformance.FaultProxy;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * A planted token (under {@code token}, and under an option name the adapter does not know) never
 * appears in a message, a cause, a stack trace's text or a {@code toString}, on every error path
 * that can be reached here: bad options, a refused port, a black hole, errors of a live store and a
 * closed one. Authentication failures: {@link MilvusServerAuthTest}.
 */
class MilvusSecretsTest {

  /** Shaped like a collection name, so that a "not found" message would echo it if nothing scrubbed it. */
  static final String PLANTED = "Planted" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);

  /** Fails if the secret is anywhere in the exception's printed form (messages, causes, suppressed). */
  static void assertNoSecret(Throwable e, String secret) {
    StringWriter out = new StringWriter();
    e.printStackTrace(new PrintWriter(out));
    assertFalse(out.toString().contains(secret), "the secret leaked:\n" + out);
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void badOptionsNeverShowTheToken() {
    List<String> uris = List.of(
        "milvus://127.0.0.1:1?token=" + PLANTED + "&bogus=1",
        "milvus://127.0.0.1:1?apiKey=" + PLANTED,
        "milvus+tls://127.0.0.1:1?tls=false&token=" + PLANTED,
        "milvus://127.0.0.1:1?deadlineMs=soon&token=" + PLANTED,
        "milvus://127.0.0.1:1?maxAttempts=99&token=" + PLANTED,
        "milvus://127.0.0.1:1?database=bad-name&token=" + PLANTED,
        "milvus://?token=" + PLANTED);
    for (String uri : uris) {
      VectorStoreException e = assertThrows(VectorStoreException.class, () -> Quiver.open(uri), uri);
      assertInstanceOf(InvalidArgumentException.class, e, uri);
      assertNoSecret(e, PLANTED);
    }
  }

  @Test
  void unreachableServersNeverShowTheToken() throws Exception {
    int port = closedPort();
    VectorStoreException refused = assertThrows(VectorStoreException.class, () -> MilvusVectorStore.builder()
        .uri("milvus://127.0.0.1:" + port + "?token=" + PLANTED).build());
    assertInstanceOf(UnavailableException.class, refused);
    assertNoSecret(refused, PLANTED);

    try (FaultProxy hole = new FaultProxy("127.0.0.1", port)) {
      hole.mode(FaultProxy.Mode.BLACK_HOLE);
      VectorStoreException silent = assertThrows(VectorStoreException.class, () -> MilvusVectorStore.builder()
          .uri("milvus://127.0.0.1:" + hole.port() + "?token=" + PLANTED).deadline(Duration.ofSeconds(1)).build());
      assertTrue(silent.isTransient(), silent.toString());
      assertNoSecret(silent, PLANTED);
    }
  }

  @Test
  void aLiveStoreNeverShowsTheToken() {
    String uri = MilvusTestServer.uri();
    MilvusVectorStore.Builder builder = MilvusVectorStore.builder().uri(uri).token(Secret.of(PLANTED));
    assertFalse(builder.toString().contains(PLANTED), builder.toString());
    MilvusVectorStore store = builder.build();
    String name = "secrets-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    try {
      assertFalse(store.toString().contains(PLANTED), store.toString());
      VectorCollection c = store.createCollection(CollectionSpec.builder(name).dimension(2).build());
      assertFalse(c.toString().contains(PLANTED), c.toString());
      // the token as a collection name: the "not found" message names it, and the boundary scrubs it
      CollectionNotFoundException missing = assertThrows(CollectionNotFoundException.class,
          () -> store.collection(PLANTED));
      assertNoSecret(missing, PLANTED);
      assertNoSecret(assertThrows(CollectionNotFoundException.class, () -> store.describeCollection(PLANTED)), PLANTED);
      assertFalse(store.hasCollection(PLANTED));
      assertEquals(List.of(), c.get(List.of(PLANTED)));
      assertEquals(0, c.count());
    } finally {
      store.dropCollection(name);
      store.close();
    }
    assertNoSecret(assertThrows(StoreClosedException.class, store::listCollections), PLANTED);
  }
}
