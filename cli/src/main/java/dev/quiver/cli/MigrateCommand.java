package dev.quiver.cli;

import dev.quiver.StoreUri;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStoreException;
import dev.quiver.migrate.Migration;
import dev.quiver.migrate.ProgressListener;
import dev.quiver.migrate.VerificationReport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quiver migrate}: a resumable, verified copy of a collection between any two backends. */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {
        "Copy a collection from any backend to any other: plan (always), copy in parallel batches with a checkpoint"
            + " after each, resume after a crash, verify record by record.",
        "",
        "Addresses are <store address>#<collection>, for example:",
        "  local:./data#docs   memory:#docs   milvus://localhost:19530#docs   qdrant://localhost:6334#docs",
        "  pinecone://?apiKey=...&cloud=aws&region=us-east-1#docs",
        "The target collection is created from the source's spec when missing (--index to change the index).",
        "",
        "Exit codes: 0 done and verified, 1 error (resume with --resume), 3 verification found differences,"
            + " 4 the plan found data the target cannot hold (nothing written).",
        "More: docs/migration.md",
        ""})
final class MigrateCommand implements Callable<Integer> {

  @Option(names = "--from", required = true, paramLabel = "URI#COLLECTION", description = "The source collection.")
  String from;

  @Option(names = "--to", required = true, paramLabel = "URI[#COLLECTION]", description = "The target (collection name defaults to the source's).")
  String to;

  @Option(names = "--verify-only", description = "Compare an existing target with the source (per --verify) without copying.")
  boolean verifyOnly;

  @Option(names = "--tenant", paramLabel = "NAME", description = "Copy only this tenant of a multi-tenant source "
      + "(into the same tenant of the target). Without it, every tenant is copied, one after the other.")
  String tenant;

  @Mixin
  MigrationOptions options = new MigrationOptions();

  /** Every tenant of a multi-tenant source, each with its own checkpoint ({@code <checkpoint>.<tenant>}). */
  private int eachTenant(VectorCollection source, Migration.Builder builder, ProgressListener bar) {
    int status = 0;
    for (String t : source.tenants()) {
      Migration m = builder.tenant(t).build();
      if (m.finishedBefore()) {
        System.err.println("tenant " + t + ": copied before (checkpoint done), skipped");
        continue;
      }
      System.err.println("tenant " + t + ":");
      int s = verifyOnly ? verifyOnly(m, bar) : options.execute(m, System.out, System.err, MigrationOptions.holder(bar));
      status = Math.max(status, s);
      if (s != 0 && s != MigrationOptions.EXIT_DIFFERENCES) {
        return s; // blocked or failed: stop here; --resume continues from this tenant
      }
    }
    return status;
  }

  private int verifyOnly(Migration m, ProgressListener bar) {
    VerificationReport v = m.verify();
    MigrationOptions.holder(bar).finish();
    System.out.println(options.json ? MigrationOptions.toJson(v.toMap()) : v.toMap().toString());
    return v.ok() ? 0 : MigrationOptions.EXIT_DIFFERENCES;
  }

  @Override
  public Integer call() {
    ProgressListener bar = ProgressBar.forTerminal();
    try (Addresses stores = new Addresses()) {
      Addresses.Address src = Addresses.parse(from);
      Addresses.Address dst = Addresses.parse(to);
      String srcName = src.requireCollection();
      String dstName = dst.collection() != null ? dst.collection() : srcName;
      if (src.uri().equals(dst.uri()) && srcName.equals(dstName)) {
        throw new dev.quiver.InvalidArgumentException("source and target are the same collection");
      }
      VectorCollection source = stores.store(src.uri()).collection(srcName);
      System.err.println("migrate " + StoreUri.parse(src.uri()) + "#" + srcName + " -> " + StoreUri.parse(dst.uri())
          + "#" + dstName);
      Migration.Builder builder = options.configure(Migration.from(source).to(stores.store(dst.uri()), dstName),
          Path.of("quiver-migrate-" + srcName + "-to-" + dstName + ".checkpoint.json"), bar);
      if (tenant == null && source.spec().multiTenant()) {
        return eachTenant(source, builder, bar);
      }
      Migration m = builder.tenant(tenant).build();
      if (verifyOnly) {
        return verifyOnly(m, bar);
      }
      return options.execute(m, System.out, System.err, MigrationOptions.holder(bar));
    } catch (VectorStoreException e) {
      MigrationOptions.holder(bar).finish();
      System.err.println("quiver: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }
}
