package dev.quiver.milvus;

import static dev.quiver.milvus.MilvusSecretsTest.assertNoSecret;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.quiver.AuthenticationException;
import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import dev.quiver.VectorStoreException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link MilvusRestartTest} against a private real Milvus 2.3.5 ({@code scripts/milvus-server.sh})
 * that requires authentication, and the authentication failures it can produce; skipped when
 * {@code QUIVER_MILVUS_SERVER_URI} is not set (the test environment has no real Milvus).
 */
class MilvusServerRestartTest extends MilvusRestartTest {

  /** Milvus's built-in user and default password. */
  static final String ROOT = "root:Milvus";

  @Override
  PrivateServer server() throws Exception {
    MilvusTestServer.serverUri();
    // The test server's settings, plus authentication, a force-quit 5 s after SIGTERM instead of 30
    // minutes, and a 5 s session lease instead of 30 s (a restarted server waits out the old one's).
    return new PrivateServer("milvus-server.sh", "MILVUS_SERVER", Map.of(
        "MILVUS_SERVER_SETTINGS", "log.level=warn proxy.timeTickInterval=20 common.security.authorizationEnabled=true"
            + " common.gracefulStopTimeout=5 common.session.ttl=5",
        "MILVUS_SERVER_TOKEN", ROOT));
  }

  @Override
  MilvusVectorStore.Builder storeOn(String uri) {
    return MilvusVectorStore.builder().uri(uri + "?token=" + ROOT);
  }

  @Override
  Duration deadline() {
    return Duration.ofSeconds(5);
  }

  @Test
  void aRefusedTokenIsAnAuthenticationErrorThatNeverShowsIt() {
    String planted = "root:" + MilvusSecretsTest.PLANTED;
    VectorStoreException wrong = assertThrows(VectorStoreException.class, () -> Quiver.open(uri + "?token=" + planted));
    assertInstanceOf(AuthenticationException.class, wrong);
    assertFalse(wrong.isTransient());
    assertNoSecret(wrong, planted);
    assertNoSecret(wrong, MilvusSecretsTest.PLANTED);

    VectorStoreException none = assertThrows(VectorStoreException.class, () -> Quiver.open(uri));
    assertInstanceOf(AuthenticationException.class, none);

    try (VectorStore store = Quiver.open(uri + "?token=" + ROOT)) { // the right token works: auth is really on
      store.listCollections();
      assertFalse(store.toString().contains(ROOT), store.toString());
    }
  }
}
