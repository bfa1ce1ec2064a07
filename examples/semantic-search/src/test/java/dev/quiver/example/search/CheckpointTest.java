package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

  private static final Document A = new Document("a", "A", "x", List.of("httpd"), "t1");
  private static final Document B = new Document("b", "B", "x", List.of("net", "web"), "t2");
  private static final Document A_IN_T2 = new Document("a", "A", "x", List.of(), "t2");

  @Test
  @DisplayName("recorded documents survive a reopen, per tenant, with their tenants and tags")
  void reopen(@TempDir Path tmp) {
    Path f = tmp.resolve("cp.jsonl");
    Checkpoint cp = Checkpoint.open(f, "kb@1", false);
    cp.append(List.of(A, B));
    Checkpoint again = Checkpoint.open(f, "kb@1", false);
    assertTrue(again.done(A) && again.done(B));
    assertFalse(again.done(A_IN_T2), "ids are per tenant");
    assertEquals(Set.of("t1", "t2"), again.tenants());
    assertEquals(Set.of("httpd", "net", "web"), again.tags());
  }

  @Test
  @DisplayName("a line torn by a kill is dropped (and cut from the file); the documents before it stay done")
  void tornTail(@TempDir Path tmp) throws Exception {
    Path f = tmp.resolve("cp.jsonl");
    Checkpoint.open(f, "kb@1", false).append(List.of(A));
    Files.writeString(f, "{\"tenant\":\"t2\",\"id\":\"b\",\"ta", StandardOpenOption.APPEND);
    Checkpoint cp = Checkpoint.open(f, "kb@1", false);
    assertEquals(1, cp.size());
    assertTrue(cp.done(A) && !cp.done(B));
    cp.append(List.of(B));
    assertEquals(2, Checkpoint.open(f, "kb@1", false).size(), "appends after the cut are read back");
  }

  @Test
  @DisplayName("a checkpoint of another collection or store is refused; a fresh collection starts it over")
  void owner(@TempDir Path tmp) {
    Path f = tmp.resolve("cp.jsonl");
    Checkpoint.open(f, "kb@1", false).append(List.of(A));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Checkpoint.open(f, "other@2", false));
    assertTrue(e.getMessage().contains("kb@1") && e.getMessage().contains("other@2"), e.getMessage());
    assertEquals(0, Checkpoint.open(f, "kb@1", true).size(), "fresh: the collection was just created, so nothing is stored");
    assertEquals(0, Checkpoint.open(f, "kb@1", false).size());
  }
}
