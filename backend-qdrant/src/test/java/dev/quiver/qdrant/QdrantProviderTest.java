package dev.quiver.qdrant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.InvalidArgumentException;
import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ServiceLoader registration, URI options and TLS defaults. No server is contacted. */
class QdrantProviderTest {

  @Test
  void registeredForBothSchemes() {
    assertTrue(Quiver.providers().stream().anyMatch(p -> p instanceof QdrantVectorStoreProvider));
    assertEquals(Set.of("qdrant", "qdrant+tls"), new QdrantVectorStoreProvider().schemes());
  }

  @Test
  void loopbackIsPlaintextByDefaultAndRemoteHostsUseTls() {
    try (VectorStore local = Quiver.open("qdrant://localhost:6334")) {
      assertInstanceOf(QdrantVectorStore.class, local);
      assertEquals("QdrantVectorStore[qdrant://localhost:6334]", local.toString());
    }
    try (VectorStore remote = Quiver.open("qdrant://db.example.com?apiKey=top-secret")) {
      assertEquals("QdrantVectorStore[qdrant+tls://db.example.com:6334]", remote.toString());
      assertFalse(remote.toString().contains("top-secret"));
    }
    try (VectorStore tls = Quiver.open("qdrant+tls://127.0.0.1:7000?apiKey=k&timeoutMs=500&maxAttempts=1")) {
      assertEquals("QdrantVectorStore[qdrant+tls://127.0.0.1:7000]", tls.toString());
    }
    try (VectorStore plain = Quiver.open("qdrant://10.0.0.5?tls=false")) {
      assertEquals("QdrantVectorStore[qdrant://10.0.0.5:6334]", plain.toString());
    }
  }

  @Test
  void badOptionsAreRejectedWithoutTheKey() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("qdrant://h?apiKey=top-secret&bogus=1"));
    assertFalse(e.getMessage().contains("top-secret"));
    assertTrue(e.getMessage().contains("bogus"));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("qdrant+tls://h?tls=false"));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("qdrant://h?timeoutMs=soon"));
    assertThrows(InvalidArgumentException.class, () -> Quiver.open("qdrant:///nohost"));
  }

  @Test
  void loopbackDetection() {
    for (String h : new String[] {"localhost", "LOCALHOST", "127.0.0.1", "127.1.2.3", "::1", "[::1]"}) {
      assertTrue(QdrantVectorStore.isLoopback(h), h);
    }
    for (String h : new String[] {"example.com", "10.0.0.1", "localhost.example.com", "128.0.0.1"}) {
      assertFalse(QdrantVectorStore.isLoopback(h), h);
    }
  }
}
