package dev.quiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

  private static String run(int expectedExit, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream original = System.out;
    PrintStream originalErr = System.err;
    try {
      PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8);
      System.setOut(capture);
      System.setErr(capture);
      assertEquals(expectedExit, QuiverCli.run(args));
    } finally {
      System.setOut(original);
      System.setErr(originalErr);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("demo loads records, runs filtered searches whose hits satisfy their filters, and exits 0")
  void demo() {
    String out = run(0, "demo", "--records", "800");
    assertTrue(out.contains("Loaded 800 records"), out);
    assertTrue(out.contains("filter: category == 'tech' and year >= 2020"), out);
    List<String> techRows = out.lines()
        .dropWhile(l -> !l.contains("filter: category == 'tech' and year >= 2020"))
        .skip(2).takeWhile(l -> l.matches("\\s+\\d+\\s+article-.*")).toList();
    assertEquals(5, techRows.size(), out);
    for (String row : techRows) {
      assertTrue(row.contains("category='tech'"), row);
      int year = Integer.parseInt(row.replaceAll(".*year=(\\d+).*", "$1"));
      assertTrue(year >= 2020, row);
    }
    assertTrue(out.contains(", 0 matching."), out);
  }

  @Test
  @DisplayName("--help lists the commands; an unknown store scheme fails with the schemes found")
  void helpAndErrors() {
    assertTrue(run(0, "--help").contains("demo"));
    String out = run(1, "demo", "--store", "nosuch://x");
    assertTrue(out.contains("schemes found on the class path"), out);
    assertTrue(out.contains("memory"), out);
  }
}
