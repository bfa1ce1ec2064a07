package dev.quiver.cli;

import dev.quiver.StoreUri;
import dev.quiver.VectorStoreException;
import dev.quiver.migrate.ExportFile;
import dev.quiver.migrate.Migration;
import dev.quiver.migrate.ProgressListener;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quiver import}: load an export file into a collection, as a resumable, verified migration. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Load a file written by 'quiver export' into a collection (created from the spec in the file when missing).",
        "The file's checksum is checked before anything is written; the import then runs as a migration"
            + " (plan, checkpoints, --resume, verification). Exit codes as for migrate.",
        ""})
final class ImportCommand implements Callable<Integer> {

  @Option(names = "--file", required = true, paramLabel = "FILE", description = "The export file (Arrow IPC).")
  Path file;

  @Option(names = "--to", required = true, paramLabel = "URI[#COLLECTION]", description = "The target (collection name defaults to the one in the file).")
  String to;

  @Mixin
  MigrationOptions options = new MigrationOptions();

  @Override
  public Integer call() {
    ProgressListener bar = ProgressBar.forTerminal();
    try (Addresses stores = new Addresses(); ExportFile source = ExportFile.open(file)) {
      Addresses.Address dst = Addresses.parse(to);
      String dstName = dst.collection() != null ? dst.collection() : source.name();
      System.err.println("import " + file + " (" + source.count() + " records, sha256 verified) -> "
          + StoreUri.parse(dst.uri()) + "#" + dstName);
      Migration m = options.configure(Migration.from(source).to(stores.store(dst.uri()), dstName),
          Path.of("quiver-import-" + file.getFileName() + "-to-" + dstName + ".checkpoint.json"), bar).build();
      return options.execute(m, System.out, System.err, MigrationOptions.holder(bar));
    } catch (VectorStoreException e) {
      MigrationOptions.holder(bar).finish();
      System.err.println("quiver: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }
}
