package dev.quiver.example.search;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Ingestion to search, end to end over real HTTP: the committed sample is ingested once per class into
 * a fresh collection of the store under test, the service listens on a free port, and every test
 * asks it with an HTTP client. Subclasses name the store; nothing else differs between backends.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSearchServiceTest {

  /** @return the store's address; a subclass whose server is not running skips (with the reason printed) */
  abstract String storeUri(Path tmp) throws Exception;

  private Path tmp;
  private String store;
  private String collection;
  private SearchApp app;
  private Http http;
  private Ingester.Result ingested;

  @BeforeAll
  void ingestAndServe() throws Exception {
    tmp = Files.createTempDirectory("semantic-search-test");
    store = storeUri(tmp);
    collection = "ss" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    app = new SearchApp(store, collection, tmp.resolve("state"), new CachingEmbedder(), new PrintStream(System.out, true));
    ingested = app.ingest(Sample.documents(), Ingester.Listener.none());
    http = new Http(app.serve("127.0.0.1", 0).port());
  }

  /** Called when the service is stopped and the collection dropped: a subclass stops its server here. */
  void afterAll() {}

  @AfterAll
  void stop() {
    try {
      if (app != null) {
        app.close();
      }
      if (store != null && !store.startsWith("local:")) {
        try (VectorStore s = Quiver.open(store)) {
          s.dropCollection(collection);
        }
      }
    } finally {
      afterAll();
    }
  }

  private JsonNode search(String... params) {
    Http.Response r = http.get("/search", params);
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    return r.json();
  }

  private static List<String> ids(JsonNode body) {
    List<String> out = new ArrayList<>();
    body.get("results").forEach(r -> out.add(r.get("docId").asText()));
    return out;
  }

  @Test
  @DisplayName("the whole sample is stored: one record per chunk, none twice")
  void everythingIngested() {
    assertEquals(Sample.documents().size(), ingested.written());
    assertEquals(0, ingested.skipped());
    assertEquals(Sample.chunkCount(), ingested.chunks());
    assertEquals(Sample.chunkCount(), app.knowledgeBase().countChunks(app.checkpoint().tenants()));
  }

  @Test
  @DisplayName("natural questions find the package a person would name, best first")
  void naturalQueries() {
    String[][] cases = {
        {"web server", "apache2 nginx lighttpd"},
        {"edit and retouch photos", "gimp"},
        {"play chess against the computer", "gnuchess stockfish"},
        {"numerical computations, compatible with MATLAB", "octave"},
        {"capture network packets", "tcpdump wireshark"},
        {"relational database server", "postgresql-15 mariadb-server"},
    };
    for (String[] c : cases) {
      JsonNode body = search("q", c[0], "k", "5");
      List<String> ids = ids(body);
      assertEquals(5, ids.size(), c[0] + ": " + ids);
      assertTrue(Set.of(c[1].split(" ")).contains(ids.get(0)), "'" + c[0] + "' should find one of " + c[1] + " first: " + ids);
      double last = Double.MAX_VALUE;
      for (JsonNode r : body.get("results")) {
        double score = r.get("score").asDouble();
        assertTrue(score <= last, "scores must fall: " + body);
        last = score;
        assertFalse(r.get("title").asText().isBlank(), r.toString());
        assertFalse(r.get("snippet").asText().isBlank(), r.toString());
        assertTrue(r.get("snippet").asText().length() <= KnowledgeBase.SNIPPET + 1, r.toString());
        assertTrue(r.get("tags").isArray() && r.get("tags").size() > 0, r.toString());
      }
    }
    List<String> web = ids(search("q", "web server", "k", "5"));
    assertTrue(web.subList(0, 3).stream().filter(Set.of("apache2", "nginx", "lighttpd")::contains).count() >= 2,
        "two of apache2, nginx, lighttpd in the top 3: " + web);
  }

  @Test
  @DisplayName("a tag filter keeps only documents with one of the tags, and changes the answer")
  void tagFilter() {
    List<String> unfiltered = ids(search("q", "web server", "k", "10"));
    JsonNode httpd = search("q", "web server", "k", "10", "tags", "httpd");
    assertTrue(httpd.get("results").size() >= 3, httpd.toString());
    for (JsonNode r : httpd.get("results")) {
      assertTrue(r.get("tags").toString().contains("\"httpd\""), r.toString());
    }
    assertFalse(ids(httpd).equals(unfiltered), "the filter should drop non-httpd documents: " + unfiltered);
    JsonNode two = search("q", "network traffic", "k", "10", "tags", "httpd,net");
    Set<String> seen = new HashSet<>();
    for (JsonNode r : two.get("results")) {
      String tags = r.get("tags").toString();
      assertTrue(tags.contains("\"httpd\"") || tags.contains("\"net\""), r.toString());
      seen.add(tags.contains("\"net\"") ? "net" : "httpd");
    }
    assertEquals(Set.of("httpd", "net"), seen, "both tags should be represented: " + two);
    assertEquals(0, search("q", "web server", "tags", "no-such-tag").get("results").size());
  }

  @Test
  @DisplayName("a tenant sees only its own documents; no tenant searches them all")
  void tenantFilter() {
    assertTrue(app.knowledgeBase().multiTenant(), "this store lacks tenants (Feature.TENANTS), so the collection is "
        + "single-tenant and tenant-scoped search is refused: " + app.knowledgeBase().notices());
    JsonNode desktop = search("q", "edit and retouch photos", "k", "10", "tenant", "desktop");
    assertEquals("gimp", ids(desktop).get(0), desktop.toString());
    desktop.get("results").forEach(r -> assertEquals("desktop", r.get("tenant").asText(), r.toString()));
    JsonNode programming = search("q", "edit and retouch photos", "k", "10", "tenant", "programming");
    assertFalse(ids(programming).contains("gimp"), programming.toString());
    assertEquals(10, programming.get("results").size(), programming.toString());
    programming.get("results").forEach(r -> assertEquals("programming", r.get("tenant").asText(), r.toString()));
    Set<String> tenants = new HashSet<>();
    search("q", "a program", "k", "50").get("results").forEach(r -> tenants.add(r.get("tenant").asText()));
    assertTrue(tenants.size() >= 3, "without a tenant every tenant is searched: " + tenants);
    assertEquals(0, search("q", "web server", "tenant", "nobody").get("results").size(), "a tenant with no documents");
  }

  @Test
  @DisplayName("bad parameters are a 400 with a typed JSON error naming the parameter")
  void badParameters() {
    String[][] cases = {
        {"k_out_of_range", "k", "q", "web", "k", "0"},
        {"k_out_of_range", "k", "q", "web", "k", "51"},
        {"invalid_k", "k", "q", "web", "k", "ten"},
        {"missing_query", "q", "k", "5"},
        {"missing_query", "q", "q", "   "},
        {"query_too_long", "q", "q", "x".repeat(SearchQuery.MAX_QUERY + 1)},
        {"invalid_tenant", "tenant", "q", "web", "tenant", "acme corp"},
        {"invalid_tenant", "tenant", "q", "web", "tenant", "x".repeat(65)},
        {"invalid_tags", "tags", "q", "web", "tags", "httpd,,net"},
        {"unknown_parameter", "topk", "q", "web", "topk", "3"},
    };
    for (String[] c : cases) {
      String[] params = java.util.Arrays.copyOfRange(c, 2, c.length);
      Http.Response r = http.get("/search", params);
      assertEquals(400, r.status(), String.join(" ", params) + ": " + r.body());
      JsonNode error = r.json().get("error");
      assertEquals(c[0], error.get("code").asText(), r.body());
      assertEquals(c[1], error.get("parameter").asText(), r.body());
      assertFalse(error.get("message").asText().isBlank(), r.body());
    }
    Http.Response repeated = http.raw("/search?q=web&q=server");
    assertEquals(400, repeated.status(), repeated.body());
    assertEquals("repeated_parameter", repeated.json().get("error").get("code").asText());
    Http.Response missing = http.raw("/nope");
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.json().get("error").get("code").asText());
  }

  @Test
  @DisplayName("GET / is the search page; /api/facets lists the tenants and tags it offers")
  void pageAndFacets() {
    Http.Response page = http.raw("/");
    assertEquals(200, page.status());
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("id=\"search-form\"") && page.body().contains("fetch('/search?"), page.body());
    JsonNode facets = http.raw("/api/facets").json();
    Set<String> tenants = new HashSet<>();
    facets.get("tenants").forEach(t -> tenants.add(t.asText()));
    assertEquals(Set.of("desktop", "programming", "science", "system"), tenants);
    assertTrue(facets.get("tags").toString().contains("\"httpd\""), facets.toString());
  }
}
