package dev.quiver.migrate;

import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import java.nio.file.Path;

/**
 * The migrating JVM of {@link KillResumeTest}: runs one migration and exits 0 when it completed and
 * verified, 3 on differences, 1 on an error. Arguments: source store, source collection, target
 * store, target collection, checkpoint file, records per second, resume (true/false).
 */
public final class MigrateChild {

  private MigrateChild() {}

  /** @param a the arguments described above */
  public static void main(String[] a) {
    try (VectorStore from = Quiver.open(a[0]); VectorStore to = Quiver.open(a[2])) {
      MigrationReport r = Migration.from(from.collection(a[1])).to(to, a[3]).checkpoint(Path.of(a[4]))
          .rate(Double.parseDouble(a[5])).resume(Boolean.parseBoolean(a[6])).batchSize(200).parallelism(4).run();
      System.out.println("DONE " + r.writtenTotal() + " " + r.ok());
      System.out.flush();
      System.exit(r.ok() ? 0 : 3);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(1);
    }
  }
}
