package dev.quiver.example.search;

import dev.quiver.VectorStoreException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.staticfiles.Location;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.function.Supplier;

/**
 * The HTTP face of a knowledge base, on Javalin:
 * <ul>
 *   <li>{@code GET /search?q=…&k=…&tenant=…&tags=a,b} — JSON {@code {"query", "k", "tenant", "tags",
 *       "results": [{"docId", "title", "snippet", "score", "tags", "tenant", "chunk"}], "tookMs"}};
 *       bad parameters are a 400 with {@code {"error": {"code", "parameter", "message"}}};</li>
 *   <li>{@code GET /api/facets} — {@code {"tenants": […], "tags": […]}}, the filters the page offers;</li>
 *   <li>{@code GET /} — the search page (static HTML and JavaScript from the class path).</li>
 * </ul>
 */
public final class SearchServer implements AutoCloseable {

  private final Javalin app;

  /**
   * @param kb the knowledge base to search
   * @param tenants the tenants searched when a request names none (read on every request)
   * @param tags the tags the page offers (read on every request)
   */
  public SearchServer(KnowledgeBase kb, Supplier<SortedSet<String>> tenants, Supplier<SortedSet<String>> tags) {
    app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.staticFiles.add("/public", Location.CLASSPATH);
      config.routes.get("/search", ctx -> search(ctx, kb, tenants));
      config.routes.get("/api/facets", ctx -> ctx.json(Map.of("tenants", tenants.get(), "tags", tags.get(),
          "multiTenant", kb.multiTenant(), "model", kb.embedder().model())));
      config.routes.exception(SearchQuery.BadRequest.class, (e, ctx) -> error(ctx, 400, e.code(), e.parameter(), e.getMessage()));
      config.routes.exception(KnowledgeBase.TenantsUnsupportedException.class,
          (e, ctx) -> error(ctx, 400, "tenants_unsupported", "tenant", e.getMessage()));
      config.routes.exception(VectorStoreException.class, (e, ctx) -> error(ctx, e.isTransient() ? 503 : 500,
          e.isTransient() ? "store_unavailable" : "store_error", null, e.getClass().getSimpleName() + ": " + e.getMessage()));
      config.routes.error(404, "*", ctx -> error(ctx, 404, "not_found", null,
          "no such page: " + ctx.path() + " (try / or /search?q=...)"));
    });
  }

  private static void search(Context ctx, KnowledgeBase kb, Supplier<SortedSet<String>> tenants) {
    SearchQuery q = SearchQuery.parse(ctx.queryParamMap());
    long t0 = System.nanoTime();
    List<KnowledgeBase.Hit> hits = kb.search(q.q(), q.k(), q.tenant(), q.tags(), tenants.get());
    List<Map<String, Object>> results = hits.stream().map(h -> {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("docId", h.docId());
      m.put("title", h.title());
      m.put("snippet", h.snippet());
      m.put("score", Math.round(h.score() * 10_000) / 10_000.0);
      m.put("tags", h.tags());
      m.put("tenant", h.tenant().orElse(null));
      m.put("chunk", h.chunk());
      return m;
    }).toList();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("query", q.q());
    body.put("k", q.k());
    body.put("tenant", q.tenant().orElse(null));
    body.put("tags", q.tags());
    body.put("results", results);
    body.put("tookMs", Math.round((System.nanoTime() - t0) / 1e5) / 10.0);
    ctx.json(body);
  }

  private static void error(Context ctx, int status, String code, String parameter, String message) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("code", code);
    if (parameter != null) {
      error.put("parameter", parameter);
    }
    error.put("message", message);
    ctx.status(status).json(Map.of("error", error));
  }

  /**
   * @param host the address to listen on (127.0.0.1 keeps it on this machine)
   * @param port the port; 0 picks a free one
   * @return this server, listening
   */
  public SearchServer start(String host, int port) {
    app.start(host, port);
    return this;
  }

  /** @return the port it listens on */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
