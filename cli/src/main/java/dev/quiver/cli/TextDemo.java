package dev.quiver.cli;

import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import dev.quiver.example.search.Checkpoint;
import dev.quiver.example.search.CorpusReader;
import dev.quiver.example.search.Document;
import dev.quiver.example.search.Ingester;
import dev.quiver.example.search.KnowledgeBase;
import dev.quiver.example.search.MiniLmEmbedder;
import dev.quiver.example.search.Progress;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The default demo: semantic search over real text on the embedded engine, with the semantic-search
 * example's pipeline (examples/semantic-search). Debian's package descriptions (made by
 * scripts/corpus-debian.sh from this machine's apt lists) are embedded with all-MiniLM-L6-v2 on the
 * first run into a durable {@code local:} store in the cache directory; later runs find them there
 * and only embed the queries. An interrupted first run goes on where it stopped.
 */
final class TextDemo {

  /** Packages always in the demo corpus, so the queries below have answers a reader recognises. */
  static final String WELL_KNOWN = "nginx,apache2,lighttpd,postgresql-15,mariadb-server,sqlite3,git,vim,emacs,gimp,"
      + "inkscape,darktable,gnuchess,stockfish,python3,openjdk-17-jdk,curl,openssh-server,tcpdump,wireshark,nmap,"
      + "ffmpeg,vlc,audacity,octave,gnuplot,r-base-core,maxima,kicad,postfix,dovecot-imapd,bind9,rsync,unison";

  /** A demo query: the text, and optionally a tenant and tags to filter on. */
  record Query(String text, Optional<String> tenant, List<String> tags) {}

  static final List<Query> QUERIES = List.of(
      new Query("a fast web server that can also act as a reverse proxy", Optional.empty(), List.of()),
      new Query("edit and retouch my photos", Optional.empty(), List.of()),
      new Query("play chess against the computer", Optional.of("desktop"), List.of()),
      new Query("a language for numerical computing like MATLAB", Optional.of("science"), List.of()),
      new Query("capture and inspect network traffic", Optional.empty(), List.of("net")),
      new Query("a relational database server", Optional.empty(), List.of("database")),
      new Query("keep folders in sync between two computers", Optional.of("system"), List.of()));

  private final int documents;
  private final Path corpusOption;
  private final Path cacheDir;
  private final PrintStream out = System.out;

  TextDemo(int documents, Path corpus, Path cacheDir) {
    this.documents = documents;
    this.corpusOption = corpus;
    this.cacheDir = cacheDir;
  }

  static Path defaultCacheDir() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg == null || xdg.isBlank() ? Path.of(System.getProperty("user.home"), ".cache") : Path.of(xdg);
    return base.resolve("quiver").resolve("demo");
  }

  int run() {
    if (documents < 1) {
      System.err.println("demo: --documents must be at least 1");
      return 2;
    }
    Path corpus;
    try {
      corpus = corpusOption != null ? corpusOption : debianCorpus();
    } catch (IllegalStateException e) {
      System.err.println("demo: " + e.getMessage());
      return 1;
    }
    List<Document> docs;
    try {
      docs = CorpusReader.read(corpus);
    } catch (CorpusReader.CorpusException e) {
      System.err.println("demo: " + e.getMessage());
      return 1;
    }
    String storeUri = "local:" + cacheDir.resolve("store");
    out.printf("Quiver demo: semantic search over %,d documents of %s%n", docs.size(), corpus);
    out.printf("Store %s (durable, embedded engine); model %s, in-process%n", storeUri, MiniLmEmbedder.MODEL);
    long t0 = System.nanoTime();
    MiniLmEmbedder embedder = new MiniLmEmbedder();
    try (VectorStore store = Quiver.open(storeUri)) {
      String name = collectionName(corpus);
      for (String old : store.listCollections()) {
        if (old.startsWith("demo") && !old.equals(name)) {
          store.dropCollection(old);                 // an earlier corpus: its embeddings are of no more use
        }
      }
      KnowledgeBase kb = KnowledgeBase.open(store, name, embedder);
      kb.notices().forEach(n -> out.println("note: " + n));
      Checkpoint checkpoint = Checkpoint.open(cacheDir.resolve("state").resolve(name + ".checkpoint.jsonl"), name,
          kb.created());
      Ingester.Result r = Ingester.ingest(kb, docs, checkpoint, Progress.onStderr("embedding"));
      if (r.written() > 0) {
        out.printf(Locale.ROOT, "Embedded and stored %,d documents (%,d chunks) in %.1f s; cached in %s for the next run%n",
            r.written(), r.chunks(), r.millis() / 1000.0, cacheDir);
      } else {
        out.printf(Locale.ROOT, "Using the %,d documents embedded on an earlier run (cached in %s)%n", r.skipped(), cacheDir);
      }
      out.println();
      for (Query q : QUERIES) {
        search(kb, q, checkpoint);
      }
      out.printf(Locale.ROOT, "Done in %.1f s. The same search as a service: ./quiver serve --ingest %s%n",
          (System.nanoTime() - t0) / 1e9, corpus);
    }
    return 0;
  }

  private void search(KnowledgeBase kb, Query q, Checkpoint checkpoint) {
    String filters = (q.tenant().map(t -> "tenant " + t).orElse("all tenants"))
        + (q.tags().isEmpty() ? "" : ", tags " + String.join("|", q.tags()));
    out.printf("\"%s\"  (%s)%n", q.text(), filters);
    if (q.tenant().isPresent() && !kb.multiTenant()) {
      out.println("  skipped: this store has no tenants (see the note above), and a tenant is never imitated with a filter");
      out.println();
      return;
    }
    long t0 = System.nanoTime();
    List<KnowledgeBase.Hit> hits = kb.search(q.text(), 5, q.tenant(), q.tags(), checkpoint.tenants());
    double ms = (System.nanoTime() - t0) / 1e6;
    int rank = 1;
    for (KnowledgeBase.Hit h : hits) {
      String where = String.join(",", h.tags()) + h.tenant().map(t -> " · " + t).orElse("");
      out.printf(Locale.ROOT, "  %d  %.3f  %-72s %s%n", rank++, h.score(), clip(h.title(), 72), where);
    }
    if (hits.isEmpty()) {
      out.println("  (nothing found)");
    }
    out.printf(Locale.ROOT, "  %d results in %.1f ms (embedding the query included)%n%n", hits.size(), ms);
  }

  private static String clip(String s, int n) {
    return s.length() <= n ? s : s.substring(0, n - 1) + "…";
  }

  /** One collection per corpus content: a changed corpus is embedded anew, an unchanged one never again. */
  static String collectionName(Path corpus) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(corpus));
      return "demo" + HexFormat.of().formatHex(d, 0, 6);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cached Debian corpus, made by scripts/corpus-debian.sh on the first run. */
  private Path debianCorpus() {
    Path file = cacheDir.resolve("debian-" + documents + ".jsonl");
    if (Files.exists(file)) {
      return file;
    }
    Path script = projectRoot().resolve("scripts").resolve("corpus-debian.sh");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("cannot find scripts/corpus-debian.sh (run ./quiver from the repository, "
          + "or pass --corpus FILE with a JSON Lines corpus)");
    }
    out.println("First run: making the corpus from this machine's apt lists with " + script);
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString(), "--size", String.valueOf(documents),
        "--include", WELL_KNOWN, "--out", file.toString()));
    try {
      Files.createDirectories(cacheDir);
      Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.INHERIT)
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      int code = p.waitFor();
      if (code != 0 || !Files.exists(file)) {
        throw new IllegalStateException("scripts/corpus-debian.sh failed (exit " + code + "); it needs apt, python3 and, "
            + "once, access to the Debian archive for the long descriptions. Run it yourself to see why, or pass "
            + "--corpus FILE, or run ./quiver demo --synthetic");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while making the corpus");
    }
    return file;
  }

  /** The repository root: -Dquiver.root (set by ./quiver), else the nearest directory above with scripts/. */
  static Path projectRoot() {
    String root = System.getProperty("quiver.root");
    if (root != null) {
      return Path.of(root);
    }
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts").resolve("corpus-debian.sh"))) {
        return p;
      }
    }
    return Path.of("").toAbsolutePath();
  }
}
