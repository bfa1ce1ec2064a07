package dev.quiver.cli;

import dev.quiver.example.search.Main;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

/**
 * {@code quiver serve}: the semantic-search example as a service (examples/semantic-search). Its
 * options are the example's own ({@code ./quiver serve --help}); they pass through unchanged.
 */
@Command(name = "serve", description = {"Semantic search over HTTP on a Quiver store (examples/semantic-search):",
    "ingest a JSON Lines or CSV corpus, then serve GET /search and a search page. --help lists its options."})
final class ServeCommand implements Callable<Integer> {

  @Unmatched
  String[] args = new String[0];

  @Override
  public Integer call() {
    return Main.run(args, System.out, System.err);
  }
}
