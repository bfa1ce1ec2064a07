package dev.quiver.example.search;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the service: {@code ./quiver serve [options]} (or this class's {@code main}).
 *
 * <pre>
 *   --store URI        the Quiver store (default: $QUIVER_STORE, else local:./semantic-search-data/store)
 *   --collection NAME  the collection (default: knowledgebase)
 *   --ingest FILE      ingest a .jsonl or .csv corpus first (resumable: re-running skips what is done)
 *   --state-dir DIR    where ingestion checkpoints are kept (default: ./semantic-search-data/state)
 *   --host HOST        the address to listen on (default: 127.0.0.1)
 *   --port PORT        the port (default: 7070; 0 picks a free one)
 *   --no-serve         ingest, then exit
 * </pre>
 */
public final class Main {

  static final String DEFAULT_STORE = "local:./semantic-search-data/store";

  private Main() {}

  /** The parsed command line. */
  record Options(String store, String collection, List<Path> ingest, Path stateDir, String host, int port, boolean serve) {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /**
   * Runs until the process is stopped (or, with {@code --no-serve}, until ingestion is done).
   *
   * @return the exit code: 0 done, 1 failed, 2 bad command line
   */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      err.println("serve: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    if (o == null) {
      out.println(usage());
      return 0;
    }
    List<List<Document>> corpora = new ArrayList<>();
    try {
      for (Path file : o.ingest()) {
        corpora.add(CorpusReader.read(file));        // every file is checked before anything is written
      }
    } catch (CorpusReader.CorpusException e) {
      err.println("serve: " + e.getMessage());
      return 1;
    }
    out.println("Loading " + MiniLmEmbedder.MODEL + " (in-process, from the class path)...");
    try (SearchApp app = new SearchApp(o.store(), o.collection(), o.stateDir(), new MiniLmEmbedder(), out)) {
      for (int i = 0; i < corpora.size(); i++) {
        Ingester.Result r = app.ingest(corpora.get(i), Progress.onStderr("ingesting " + o.ingest().get(i).getFileName()));
        out.printf(Locale.ROOT, "Ingested %s: %,d documents written (%,d chunks), %,d already there, in %.1f s%n",
            o.ingest().get(i), r.written(), r.chunks(), r.skipped(), r.millis() / 1000.0);
      }
      if (!o.serve()) {
        return 0;
      }
      SearchServer server = app.serve(o.host(), o.port());
      String base = "http://" + (o.host().contains(":") ? "[" + o.host() + "]" : o.host()) + ":" + server.port();
      out.println("Serving collection '" + o.collection() + "' of " + redact(o.store()) + " at " + base + "/");
      out.println("  search page: " + base + "/");
      out.println("  JSON:        curl '" + base + "/search?q=web+server&k=5'");
      out.println("Tenants: " + app.tenants() + ". Stop with Ctrl-C.");
      out.flush();
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      stop.await();
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    } catch (RuntimeException e) {
      err.println("serve: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  /** The address without its options, which may carry credentials ({@code ?apiKey=…}). */
  static String redact(String uri) {
    int q = uri.indexOf('?');
    return q < 0 ? uri : uri.substring(0, q) + "?…";
  }

  /** @return the options, or null when help was asked for */
  static Options parse(String[] args) {
    String env = System.getenv("QUIVER_STORE");
    String store = env == null || env.isBlank() ? DEFAULT_STORE : env;
    String collection = "knowledgebase";
    List<Path> ingest = new ArrayList<>();
    Path stateDir = Path.of("semantic-search-data", "state");
    String host = "127.0.0.1";
    int port = 7070;
    boolean serve = true;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "-h", "--help" -> {
          return null;
        }
        case "--no-serve" -> serve = false;
        case "--store", "--collection", "--ingest", "--state-dir", "--host", "--port" -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          String v = args[++i];
          switch (a) {
            case "--store" -> store = v;
            case "--collection" -> collection = v;
            case "--ingest" -> ingest.add(Path.of(v));
            case "--state-dir" -> stateDir = Path.of(v);
            case "--host" -> host = v;
            default -> {
              try {
                port = Integer.parseInt(v);
              } catch (NumberFormatException e) {
                port = -1;
              }
              if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("--port takes 0 to 65535, not '" + v + "'");
              }
            }
          }
        }
        default -> throw new IllegalArgumentException("unknown option '" + a + "'");
      }
    }
    return new Options(store, collection, List.copyOf(ingest), stateDir, host, port, serve);
  }

  static String usage() {
    return String.join("\n",
        "Usage: quiver serve [options]   semantic search over HTTP on a Quiver store",
        "  --store URI        the store (default: $QUIVER_STORE, else " + DEFAULT_STORE + ")",
        "                     e.g. milvus://localhost:19530, qdrant://localhost:6334, pinecone://?apiKey=...",
        "  --collection NAME  the collection (default: knowledgebase; letters and digits work on every backend:",
        "                     Milvus refuses '-' and Pinecone '_')",
        "  --ingest FILE      ingest a .jsonl or .csv corpus first (id, title, content, tags, tenant); repeatable;",
        "                     resumable: a re-run skips documents already written",
        "  --state-dir DIR    where ingestion checkpoints are kept (default: ./semantic-search-data/state)",
        "  --host HOST        the address to listen on (default: 127.0.0.1)",
        "  --port PORT        the port (default: 7070; 0 picks a free one)",
        "  --no-serve         ingest, then exit",
        "Corpus of Debian package descriptions: scripts/corpus-debian.sh --size 3000 --out corpus.jsonl");
  }
}
