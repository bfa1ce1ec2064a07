package dev.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StoreUriTest {

  @Test
  @DisplayName("parses remote addresses with host, port, path and options")
  void remote() {
    StoreUri u = StoreUri.parse("milvus+tls://db.example.com:19530/prod?token=s3cr%3Dt&timeout=5s");
    assertEquals("milvus+tls", u.scheme());
    assertEquals("db.example.com", u.host().orElseThrow());
    assertEquals(19530, u.port().getAsInt());
    assertEquals("/prod", u.path());
    assertEquals("s3cr=t", u.secret("token").orElseThrow().reveal());
    assertEquals("5s", u.option("timeout").orElseThrow());
  }

  @Test
  @DisplayName("parses local addresses as a path")
  void local() {
    StoreUri u = StoreUri.parse("local:./quiver-data");
    assertEquals("local", u.scheme());
    assertEquals("./quiver-data", u.path());
    assertTrue(u.host().isEmpty());
    assertEquals("", StoreUri.parse("memory:").path());
  }

  @Test
  @DisplayName("never prints credentials")
  void redacts() {
    StoreUri u = StoreUri.parse("pinecone://?apiKey=pk-123&cloud=aws");
    assertFalse(u.toString().contains("pk-123"), u.toString());
    assertTrue(u.toString().contains("apiKey=***"), u.toString());
    assertEquals("***", u.secret("apiKey").orElseThrow().toString());
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> StoreUri.parse("milvus://root:hunter2@host:19530"));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
  }

  @Test
  @DisplayName("rejects addresses without a scheme or with a bad port")
  void rejects() {
    assertThrows(InvalidArgumentException.class, () -> StoreUri.parse("nothing"));
    assertThrows(InvalidArgumentException.class, () -> StoreUri.parse("milvus://h:port"));
    assertThrows(InvalidArgumentException.class, () -> StoreUri.parse("milvus://h:70000"));
  }

  @Test
  @DisplayName("Quiver.open names the unknown scheme and lists the schemes found")
  void unknownScheme() {
    InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
        () -> Quiver.open("nosuch://x?token=secret"));
    assertTrue(e.getMessage().contains("'nosuch:'"), e.getMessage());
    assertTrue(e.getMessage().contains("schemes found on the class path: none"), e.getMessage());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }
}
