package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The search page in a real browser: headless chromium opens it from the running service, a query is
 * typed into the search box key by key and sent with Enter, and the results the page shows are read
 * back; then a tag is typed and the search button clicked. Screenshots are kept in
 * target/browser/ as test artifacts.
 */
class SearchPageBrowserTest {

  private static final Path ARTIFACTS = Path.of("target", "browser");

  @Test
  @DisplayName("type a question into the page, press Enter, see the right packages; add a tag filter, click Search, see only that tag")
  void typeAQuerySeeResults(@TempDir Path tmp) throws Exception {
    try (SearchApp app = new SearchApp("local:" + tmp.resolve("store"), "kb", tmp.resolve("state"), new CachingEmbedder(),
        new PrintStream(System.out, true))) {
      app.ingest(Sample.documents(), Ingester.Listener.none());
      int port = app.serve("127.0.0.1", 0).port();
      try (Chromium browser = Chromium.start(tmp.resolve("chromium"))) {
        browser.navigate("http://127.0.0.1:" + port + "/");
        browser.waitFor("document.readyState === 'complete' && document.getElementById('tenant').options.length > 1",
            Duration.ofSeconds(30));
        browser.eval("document.getElementById('q').focus()");
        browser.type("web server");
        assertEquals("web server", browser.eval("document.getElementById('q').value").asText());
        browser.pressEnter();
        browser.waitFor("document.body.dataset.results && document.body.dataset.results !== '0'", Duration.ofSeconds(30));
        List<String> titles = titles(browser);
        Path shot = browser.screenshot(ARTIFACTS.resolve("search-page.png"));
        System.out.println("SearchPageBrowserTest: screenshot " + shot.toAbsolutePath() + "; results " + titles);
        assertEquals(10, titles.size(), titles.toString());
        String first = titles.get(0).split(":")[0];
        assertTrue(Set.of("apache2", "nginx", "lighttpd").contains(first), "first result: " + titles);
        assertPng(shot);

        browser.eval("document.body.removeAttribute('data-results')");
        browser.eval("document.getElementById('tags').focus()");
        browser.type("net");
        browser.click("#go");
        browser.waitFor("document.body.dataset.results && document.body.dataset.results !== '0'", Duration.ofSeconds(30));
        JsonNode tags = browser.eval("Array.from(document.querySelectorAll('li.result .meta')).map(function(m){"
            + "return Array.from(m.querySelectorAll('.tag')).map(function(t){return t.textContent;});})");
        assertTrue(tags.size() > 0, tags.toString());
        tags.forEach(t -> assertTrue(t.toString().contains("\"net\""), "every result is tagged net: " + tags));
        assertEquals("", browser.eval("document.getElementById('status').className").asText(), "no error shown");
        assertPng(browser.screenshot(ARTIFACTS.resolve("search-page-tag-net.png")));
      }
    }
  }

  private static List<String> titles(Chromium browser) {
    List<String> out = new ArrayList<>();
    browser.eval("Array.from(document.querySelectorAll('li.result .title')).map(function(e){return e.textContent;})")
        .forEach(t -> out.add(t.asText()));
    return out;
  }

  private static void assertPng(Path file) throws Exception {
    byte[] b = Files.readAllBytes(file);
    assertTrue(b.length > 10_000, "a screenshot of a page with results is more than a blank image: " + b.length + " bytes");
    assertEquals((byte) 0x89, b[0]);
    assertEquals('P', b[1]);
    assertEquals('N', b[2]);
    assertEquals('G', b[3]);
  }
}
