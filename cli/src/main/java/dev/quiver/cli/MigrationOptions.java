package dev.quiver.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.quiver.Filter;
import dev.quiver.VectorStoreException;
import dev.quiver.migrate.CopyFailedException;
import dev.quiver.migrate.IncompatibleDataException;
import dev.quiver.migrate.Migration;
import dev.quiver.migrate.MigrationPlan;
import dev.quiver.migrate.MigrationReport;
import dev.quiver.migrate.ProgressListener;
import dev.quiver.migrate.Transform;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/** Options shared by {@code migrate} and {@code import}, and how they run a {@link Migration}. */
final class MigrationOptions {

  /** Exit code when verification found differences. */
  static final int EXIT_DIFFERENCES = 3;
  /** Exit code when the plan blocked the run (nothing written). */
  static final int EXIT_BLOCKED = 4;

  @Option(names = "--filter", description = "Copy only the records matching this filter (for example one tenant: \"tenant == 'acme'\").")
  String filter;

  @Option(names = "--dry-run", description = "Plan only: check the spec and scan every record, count what the target cannot hold, write nothing.")
  boolean dryRun;

  @Option(names = "--resume", description = "Continue the interrupted migration recorded in the checkpoint (use the same options).")
  boolean resume;

  @Option(names = "--checkpoint", paramLabel = "FILE", description = "Checkpoint file (default: quiver-migrate-<source>-to-<target>.checkpoint.json in the current directory).")
  Path checkpoint;

  @Option(names = "--batch-size", defaultValue = "500", description = "Records per page read and per batch written (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--parallelism", defaultValue = "4", description = "Batches written at once (default: ${DEFAULT-VALUE}).")
  int parallelism;

  @Option(names = "--rate", defaultValue = "0", paramLabel = "RECORDS_PER_SECOND", description = "Write at most this many records per second (default: no limit).")
  double rate;

  @Option(names = "--index", paramLabel = "INDEX", description = "Create the target with this index instead of the source's: flat, hnsw, hnsw:M,EF, ivf-flat:NLIST, ivf-pq:NLIST,M,BITS (Pinecone needs hnsw).")
  String index;

  @Option(names = "--rename-key", paramLabel = "OLD=NEW", description = "Rename a metadata key (repeatable; applied after --drop-key).")
  List<String> renames = new ArrayList<>();

  @Option(names = "--drop-key", paramLabel = "KEY", description = "Drop a metadata key (repeatable).")
  List<String> drops = new ArrayList<>();

  @Option(names = "--inexact-longs", paramLabel = "string|double|drop-key", description = "For a target that keeps numbers as float64 (Pinecone): write longs beyond ±2^53 as strings, as the nearest double (lossy), or drop the key.")
  String inexactLongs;

  @Option(names = "--skip-incompatible", description = "Skip (and count) records the target cannot hold instead of stopping before the copy.")
  boolean skipIncompatible;

  @Option(names = "--append", description = "Copy into a target that already holds records.")
  boolean append;

  @Option(names = "--verify", defaultValue = "full", paramLabel = "full|sample|none", description = "Verification at the end (default: ${DEFAULT-VALUE}).")
  String verify;

  @Option(names = "--sample-size", defaultValue = "1000", description = "Records compared by --verify sample (default: ${DEFAULT-VALUE}).")
  int sampleSize;

  @Option(names = "--tolerance", defaultValue = "1e-6", description = "Relative tolerance per vector component (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Option(names = "--json", description = "Print the report as JSON on stdout (progress and messages stay on stderr).")
  boolean json;

  Migration.Builder configure(Migration.Builder b, Path defaultCheckpoint, ProgressListener listener) {
    b.filter(filter == null ? null : Filter.parse(filter)).batchSize(batchSize).parallelism(parallelism).rate(rate)
        .checkpoint(checkpoint != null ? checkpoint : defaultCheckpoint).resume(resume).appendToExisting(append)
        .skipIncompatible(skipIncompatible).sampleSize(sampleSize).tolerance(tolerance).listener(listener)
        .verify(switch (verify.toLowerCase(Locale.ROOT)) {
          case "full" -> Migration.Verify.FULL;
          case "sample", "sampled" -> Migration.Verify.SAMPLED;
          case "none", "off" -> Migration.Verify.NONE;
          default -> throw new dev.quiver.InvalidArgumentException("--verify takes full, sample or none, got '" + verify + "'");
        });
    if (index != null) {
      b.targetIndex(Migration.parseIndex(index));
    }
    Map<String, String> r = new LinkedHashMap<>();
    for (String s : renames) {
      String[] kv = s.split("=", 2);
      if (kv.length != 2) {
        throw new dev.quiver.InvalidArgumentException("--rename-key takes OLD=NEW, got '" + s + "'");
      }
      r.put(kv[0].trim(), kv[1].trim());
    }
    b.dropKeys(Set.copyOf(drops)).renameKeys(r); // drops first: --drop-key new --rename-key old=new replaces 'new'
    if (inexactLongs != null) {
      b.inexactLongs(switch (inexactLongs.toLowerCase(Locale.ROOT)) {
        case "string" -> Transform.InexactLongs.TO_STRING;
        case "double" -> Transform.InexactLongs.TO_DOUBLE;
        case "drop-key", "drop" -> Transform.InexactLongs.DROP_KEY;
        default -> throw new dev.quiver.InvalidArgumentException(
            "--inexact-longs takes string, double or drop-key, got '" + inexactLongs + "'");
      });
    }
    return b;
  }

  /** Runs the dry run or the migration, prints the plan or report, and returns the exit code. */
  int execute(Migration m, PrintStream out, PrintStream err, ProgressBarHolder bar) {
    try {
      if (dryRun) {
        MigrationPlan plan = m.plan();
        bar.finish();
        if (json) {
          out.println(toJson(plan.toMap()));
        } else {
          out.print(plan.describe());
        }
        return plan.blocking() ? EXIT_BLOCKED : 0;
      }
      MigrationReport report = m.run();
      bar.finish();
      if (json) {
        out.println(toJson(report.toMap()));
      } else {
        out.print(report.plan().describe());
        out.println("Summary");
        out.print(report.describe());
      }
      if (!report.ok()) {
        err.println("verification found " + report.verification().differenceCount() + " difference(s)");
        return EXIT_DIFFERENCES;
      }
      return 0;
    } catch (IncompatibleDataException e) {
      bar.finish();
      if (json) {
        out.println(toJson(Map.of("ok", false, "error", "IncompatibleDataException", "plan", e.plan().toMap())));
      }
      err.println(e.getMessage());
      return EXIT_BLOCKED;
    } catch (VectorStoreException e) {
      bar.finish();
      if (json) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("ok", false);
        j.put("error", e.getClass().getSimpleName());
        j.put("message", e.getMessage());
        if (e instanceof CopyFailedException c) {
          j.put("copied", c.copied());
        }
        out.println(toJson(j));
      }
      err.println("quiver: " + e.getClass().getSimpleName() + ": " + e.getMessage());
      return 1;
    }
  }

  static String toJson(Object value) {
    try {
      return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The progress bar, if one is drawn, so that messages start on a fresh line. */
  interface ProgressBarHolder {
    void finish();
  }

  static ProgressBarHolder holder(ProgressListener l) {
    return l instanceof ProgressBar p ? p::finish : () -> { };
  }
}
