package dev.quiver.cli;

import dev.quiver.Filter;
import dev.quiver.StoreUri;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.migrate.ExportFile;
import dev.quiver.migrate.ExportFormat;
import dev.quiver.migrate.ProgressListener;
import dev.quiver.migrate.VerificationReport;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver export}: write a collection to an Arrow IPC file (a backup other tools can read). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Write a collection to an Arrow IPC file (Feather v2: pyarrow.ipc.open_file, pandas.read_feather) with ids,"
            + " float32 vectors, typed metadata and the collection spec; versioned, with a SHA-256 in the footer.",
        "The file appears only when complete. It is then verified against the source unless --verify none.",
        "Format: docs/migration.md#export-file-format",
        ""})
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "URI#COLLECTION", description = "The collection to export.")
  String from;

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "The file to write (replaced when complete).")
  Path file;

  @Option(names = "--tenant", paramLabel = "NAME", description = "Export this tenant of a multi-tenant collection "
      + "(its records, without the tenant; import it into a plain collection or a tenant).")
  String tenant;

  @Option(names = "--filter", description = "Export only the records matching this filter.")
  String filter;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Records per page and per Arrow record batch (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--verify", defaultValue = "full", paramLabel = "full|none", description = "Compare the file with the source at the end (default: ${DEFAULT-VALUE}).")
  String verify;

  @Option(names = "--json", description = "Print the summary as JSON on stdout.")
  boolean json;

  @Override
  public Integer call() {
    ProgressListener bar = ProgressBar.forTerminal();
    try (Addresses stores = new Addresses()) {
      Addresses.Address src = Addresses.parse(from);
      VectorCollection collection = stores.store(src.uri()).collection(src.requireCollection());
      VectorCollection source = tenant == null ? collection : collection.tenant(tenant);
      Filter f = filter == null ? null : Filter.parse(filter);
      System.err.println("export " + StoreUri.parse(src.uri()) + "#" + source.name() + " -> " + file);
      ExportFormat.Summary s = ExportFormat.write(source, f, file, batchSize, bar);
      VerificationReport v = null;
      if (!verify.toLowerCase(Locale.ROOT).equals("none")) {
        try (ExportFile written = ExportFile.open(file)) {
          v = written.verifyAgainst(source, f, bar);
        }
      }
      MigrationOptions.holder(bar).finish();
      Map<String, Object> out = new LinkedHashMap<>(s.toMap());
      out.put("verification", v == null ? null : v.toMap());
      if (json) {
        System.out.println(MigrationOptions.toJson(out));
      } else {
        System.out.printf(Locale.ROOT, "exported %,d records to %s (%,d bytes, sha256 %s) in %.1f s%n", s.records(),
            s.file(), s.bytes(), s.sha256(), s.seconds());
        if (v != null) {
          System.out.printf(Locale.ROOT, "verified: %d checked, %d equal, %d difference(s)%n", v.checked(), v.matched(),
              v.differenceCount());
          v.differences().stream().limit(20).forEach(d -> System.out.println("  " + d));
        }
      }
      return v == null || v.ok() ? 0 : MigrationOptions.EXIT_DIFFERENCES;
    } catch (VectorStoreException e) {
      MigrationOptions.holder(bar).finish();
      System.err.println("quiver: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }
}
