package dev.quiver.migrate;

import dev.quiver.CollectionAlreadyExistsException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A resumable, verified copy of one collection into another, on any backends. The source is any
 * {@link VectorCollection} (a Quiver collection, an {@linkplain ExportFile export file}, or a
 * foreign collection once the backend can open one), optionally narrowed by a filter; the target
 * is created from the source's spec when missing.
 *
 * <pre>{@code
 * try (VectorStore from = Quiver.open("pinecone://?apiKey=..."); VectorStore to = Quiver.open("qdrant://localhost:6334")) {
 *   MigrationReport report = Migration.from(from.collection("docs")).to(to, "docs")
 *       .checkpoint(Path.of("docs.checkpoint.json")).run();
 *   System.out.println(report.describe());
 * }
 * }</pre>
 *
 * <p>{@link #run()} always plans first ({@link #plan()}) and stops with
 * {@link IncompatibleDataException} before writing anything when the target cannot hold some of the
 * data, unless a transform or {@link Builder#skipIncompatible(boolean)} says what to do. It then
 * copies page by page with parallel batch writes, writing the checkpoint after every acknowledged
 * batch, and finally verifies the target against the source ({@link Verify#FULL} by default).
 */
public final class Migration {

  /** How the target is compared with the source at the end. */
  public enum Verify {
    /** Every source record, then the counts. */
    FULL,
    /** A sample found by searching the source with random vectors, then the counts. */
    SAMPLED,
    /** No verification. */
    NONE
  }

  private final Builder b;
  private final Retries retries;
  /** The tenant copied (source and target handles are that tenant's), or null for a plain collection. */
  private final String tenant;
  /** The source handle: the builder's, or its tenant's. */
  private final VectorCollection source;
  private final Path checkpointPath;
  private final boolean resume;

  private Migration(Builder b, String tenant) {
    this.b = b;
    this.retries = new Retries(b.maxAttempts, b.retryBackoff, b.listener);
    this.tenant = tenant;
    boolean multiTenant = b.source.spec().multiTenant() && b.source.tenant().isEmpty();
    if (tenant != null && !multiTenant) {
      throw new InvalidArgumentException("tenant '" + tenant + "': the source is not the own handle of a"
          + " multi-tenant collection");
    }
    if (tenant == null && multiTenant) {
      throw new InvalidArgumentException("source collection '" + b.source.name() + "' is multi-tenant: copy one"
          + " tenant with tenant(name), or every tenant with runEachTenant()");
    }
    this.source = tenant == null ? b.source : b.source.tenant(tenant);
    this.checkpointPath = tenant == null || b.checkpoint == null ? b.checkpoint
        : b.checkpoint.resolveSibling(b.checkpoint.getFileName() + "." + tenant);
    // every tenant's copy resumes where it stopped; a tenant not reached before the interruption starts fresh
    this.resume = b.resume && (tenant == null || checkpointPath == null || java.nio.file.Files.exists(checkpointPath));
  }

  /**
   * @param source the collection to copy (any backend)
   * @return a builder
   */
  public static Builder from(VectorCollection source) {
    return new Builder(Objects.requireNonNull(source, "source"));
  }

  /**
   * Parses an index spelling of the command line: {@code flat}, {@code hnsw}, {@code hnsw:M,EF},
   * {@code ivf-flat:NLIST}, {@code ivf-pq:NLIST,M,BITS}.
   *
   * @param text the spelling
   * @return the index
   * @throws InvalidArgumentException for an unknown spelling
   */
  public static IndexSpec parseIndex(String text) {
    try {
      return Specs.parseIndex(text);
    } catch (RuntimeException e) {
      if (e instanceof InvalidArgumentException i) {
        throw i;
      }
      throw new InvalidArgumentException("cannot read index '" + text + "': " + e.getMessage());
    }
  }

  VectorCollection source() {
    return source;
  }

  VectorStore targetStore() {
    return b.targetStore;
  }

  ProgressListener listener() {
    return b.listener;
  }

  Retries retries() {
    return retries;
  }

  boolean skipIncompatible() {
    return b.skipIncompatible;
  }

  boolean pipelineHasTransform() {
    return b.transform != null;
  }

  RecordPipeline pipeline(TargetProfile profile) {
    return new RecordPipeline(b.transform, profile);
  }

  ListRequest listRequest() {
    return ListRequest.of(b.batchSize).filter(b.filter);
  }

  /** @return the spec the target will be created with when it does not exist */
  public CollectionSpec desiredTargetSpec() {
    CollectionSpec s = source.spec();
    CollectionSpec.Builder t = CollectionSpec.builder(b.targetName)
        .dimension(b.targetDimension > 0 ? b.targetDimension : s.dimension())
        .metric(s.metric()).index(b.targetIndex != null ? b.targetIndex : s.index()).multiTenant(s.multiTenant());
    if (!pipelineHasTransform() && b.targetStore.capabilities().supports(dev.quiver.Feature.DECLARED_FIELDS)) {
      // typed fields travel with the records; a transform may rename or retype keys, so then none are declared
      t.fields(s.fields()).undeclaredKeysAllowed(s.undeclaredKeysAllowed());
    }
    return t.build();
  }

  /**
   * Plans without writing anything (the dry run): checks the spec and scans every source record
   * through the transforms, counting what the target cannot hold.
   *
   * @return the plan
   */
  public MigrationPlan plan() {
    Target t = target();
    return Planner.plan(this, t.spec, t.exists, t.count, true, "");
  }

  private record Target(boolean exists, CollectionSpec spec, long count) {}

  private Target target() {
    boolean exists = retries.call("looking up the target", () -> b.targetStore.hasCollection(b.targetName));
    if (!exists) {
      return new Target(false, desiredTargetSpec(), 0);
    }
    VectorCollection c = scoped(retries.call("opening the target", () -> b.targetStore.collection(b.targetName)));
    return new Target(true, c.spec(), retries.call("counting the target", c::count));
  }

  /**
   * @return the fingerprint that ties a checkpoint to this migration: source, target, filter,
   *     transforms, target index and dimension
   */
  public String fingerprint() {
    String text = String.join("\n", source.name() + (tenant == null ? "" : "/" + tenant), Specs.toMap(source.spec()).toString(),
        b.targetStore.capabilities().backend(), b.targetName, String.valueOf(b.filter), String.join("|", b.transformNames),
        String.valueOf(b.skipIncompatible), String.valueOf(b.targetIndex), String.valueOf(b.targetDimension));
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Plans, copies and verifies (see the class comment).
   *
   * @return the report; check {@link MigrationReport#ok()} (the verification's verdict)
   * @throws IncompatibleDataException when the plan blocks (nothing written)
   * @throws TargetNotEmptyException when a fresh run finds records in the target
   * @throws CheckpointException when the checkpoint is unusable or missing for a resume
   * @throws CopyFailedException when reading or writing fails after retries (resume to finish)
   */
  public MigrationReport run() {
    long start = System.nanoTime();
    Path cpPath = checkpointPath;
    String fp = fingerprint();
    Checkpoint cp = cpPath == null ? null : Checkpoint.read(cpPath);
    if (resume) {
      if (cp == null) {
        throw new CheckpointException(cpPath == null ? Path.of("(none)") : cpPath,
            "there is no checkpoint to resume from; run without --resume to start", null);
      }
      if (!cp.fingerprint().equals(fp)) {
        throw new CheckpointException(cpPath, "belongs to another migration (different source, target, filter,"
            + " transforms or options); use the same command as the interrupted run", null);
      }
    } else if (cp != null && !"DONE".equals(cp.state())) {
      throw new CheckpointException(cpPath, "an unfinished migration left this checkpoint (" + cp.written()
          + " records copied): add --resume to finish it, or delete the file to start over", null);
    }
    Target t = target();
    MigrationPlan plan;
    TargetProfile profile = new TargetProfile(b.targetStore.capabilities(), t.spec);
    if (resume) {
      plan = Planner.plan(this, t.spec, t.exists, t.count, false,
          "not scanned again: the plan passed when this migration started (checkpoint)");
    } else {
      boolean scan = pipelineHasTransform() || profile.dataChecksNeeded(source.spec());
      plan = Planner.plan(this, t.spec, t.exists, t.count, scan,
          "not scanned: the target holds every value, vector and dimension a collection like the source can hold");
    }
    if (plan.blocking()) {
      throw new IncompatibleDataException(plan);
    }
    if (!resume && t.count > 0 && !b.append) {
      throw new TargetNotEmptyException(b.targetName, t.count);
    }
    if (!resume) {
      cp = Checkpoint.start(fp);
      if (cpPath != null) {
        cp.write(cpPath);
      }
    }
    VectorCollection target = openOrCreate(t);
    long before = cp.written();
    long copyStart = System.nanoTime();
    Copier copier = new Copier(source, listRequest(), target, pipeline(profile), b.skipIncompatible,
        b.parallelism, new RateLimiter(b.rate), retries, b.listener, cpPath, cp);
    if ("STARTED".equals(cp.state())) {
      long total = plan.recordsToWrite() >= 0 ? plan.recordsToWrite() + plan.skippedByTransform()
          + (b.skipIncompatible ? plan.affected() : 0) : b.filter == null ? source.count() : -1;
      b.listener.phase("copy", total, cp.written() + cp.skipped());
      copier.run();
      cp = copier.checkpoint();
    }
    double copySeconds = (System.nanoTime() - copyStart) / 1e9;
    long writtenThisRun = copier.writtenThisRun();
    VerificationReport verification = null;
    if (b.verify != Verify.NONE) {
      Verifier v = new Verifier(source, target, pipeline(profile), listRequest(), b.tolerance, retries,
          b.parallelism, b.listener);
      boolean extrasAllowed = b.append && t.count > 0;
      verification = b.verify == Verify.FULL ? v.full(-1, extrasAllowed, cp.written())
          : v.sampled(b.sampleSize, extrasAllowed ? -1 : cp.written(), extrasAllowed);
    }
    cp = cp.withState("DONE");
    if (cpPath != null) {
      cp.write(cpPath);
    }
    return new MigrationReport(plan, resume, writtenThisRun, before, cp.written(), cp.skipped(), retries.retries(),
        copySeconds, (System.nanoTime() - start) / 1e9, verification, cpPath);
  }

  /**
   * Verifies an existing target against the source without copying ({@code quiver migrate --verify-only}),
   * in the mode set with {@link Builder#verify(Verify)} (FULL when set to NONE).
   *
   * @return the verification
   * @throws dev.quiver.CollectionNotFoundException when the target does not exist
   */
  public VerificationReport verify() {
    VectorCollection target = scoped(b.targetStore.collection(b.targetName));
    TargetProfile profile = new TargetProfile(b.targetStore.capabilities(), target.spec());
    Verifier v = new Verifier(source, target, pipeline(profile), listRequest(), b.tolerance, retries,
        b.parallelism, b.listener);
    return b.verify == Verify.SAMPLED ? v.sampled(b.sampleSize, -1, b.append) : v.full(-1, b.append);
  }

  private VectorCollection openOrCreate(Target t) {
    if (t.exists || retries.call("looking up the target", () -> b.targetStore.hasCollection(b.targetName))) {
      return scoped(retries.call("opening the target", () -> b.targetStore.collection(b.targetName)));
    }
    try {
      // a retried create that had taken effect reports "already exists": then open it
      return scoped(retries.call("creating the target", () -> b.targetStore.createCollection(t.spec)));
    } catch (CollectionAlreadyExistsException e) {
      return scoped(retries.call("opening the target", () -> b.targetStore.collection(b.targetName)));
    }
  }

  /**
   * @return whether this is a resume and the checkpoint says the copy was finished (a tenant done
   *     before the interruption of a {@link Builder#runEachTenant()})
   */
  public boolean finishedBefore() {
    if (!resume || checkpointPath == null) {
      return false;
    }
    Checkpoint cp = Checkpoint.read(checkpointPath);
    return cp != null && "DONE".equals(cp.state());
  }

  /** The target handle of this migration: the collection's, or its tenant's. */
  private VectorCollection scoped(VectorCollection target) {
    if (tenant == null) {
      return target;
    }
    if (!target.spec().multiTenant()) {
      throw new InvalidArgumentException("target collection '" + b.targetName + "' is not multi-tenant, so tenant '"
          + tenant + "' cannot be copied into it; copy into a new collection (created multi-tenant) instead");
    }
    return target.tenant(tenant);
  }

  /** Builds a {@link Migration}. */
  public static final class Builder {
    private final VectorCollection source;
    private String tenant;
    private VectorStore targetStore;
    private String targetName;
    private Filter filter;
    private Transform transform;
    private final List<String> transformNames = new ArrayList<>();
    private boolean skipIncompatible;
    private IndexSpec targetIndex;
    private int targetDimension;
    private int batchSize = 500;
    private int parallelism = 4;
    private double rate;
    private Path checkpoint;
    private boolean resume;
    private boolean append;
    private Verify verify = Verify.FULL;
    private int sampleSize = 1_000;
    private double tolerance = 1e-6;
    private int maxAttempts = 6;
    private Duration retryBackoff = Duration.ofMillis(500);
    private ProgressListener listener = ProgressListener.none();

    private Builder(VectorCollection source) {
      this.source = source;
    }

    /**
     * @param store the target store
     * @param collection the target collection (created from the source's spec when missing)
     * @return this builder
     */
    public Builder to(VectorStore store, String collection) {
      this.targetStore = Objects.requireNonNull(store, "store");
      this.targetName = CollectionSpec.checkName(collection);
      return this;
    }

    /**
     * @param filter copy only the records that match (for example one tenant's), or {@code null} for all
     * @return this builder
     */
    public Builder filter(Filter filter) {
      this.filter = filter;
      return this;
    }

    /**
     * Adds a transform, run after those added before. Give it a name that changes when its behaviour
     * does: the name is part of the checkpoint's fingerprint.
     *
     * @param name a stable name, for example {@code "reembed:e5-large-v2"}
     * @param t the transform
     * @return this builder
     */
    public Builder transform(String name, Transform t) {
      Objects.requireNonNull(t, "transform");
      this.transform = transform == null ? t : transform.andThen(t);
      transformNames.add(Objects.requireNonNull(name, "name"));
      return this;
    }

    /**
     * @param renames metadata keys to rename, old to new
     * @return this builder
     */
    public Builder renameKeys(Map<String, String> renames) {
      renames.keySet().forEach(Metadata::checkKey);
      return renames.isEmpty() ? this : transform("rename" + new java.util.TreeMap<>(renames), Transform.renameKeys(renames));
    }

    /**
     * @param keys metadata keys to drop
     * @return this builder
     */
    public Builder dropKeys(Set<String> keys) {
      return keys.isEmpty() ? this : transform("drop" + new java.util.TreeSet<>(keys), Transform.dropKeys(keys));
    }

    /**
     * @param mode how to write metadata longs beyond ±2^53 (for targets that keep numbers as float64)
     * @return this builder
     */
    public Builder inexactLongs(Transform.InexactLongs mode) {
      return transform("inexact-longs:" + mode, Transform.inexactLongs(mode));
    }

    /**
     * @param skip skip (and count) records the target cannot hold instead of stopping before the copy
     * @return this builder
     */
    public Builder skipIncompatible(boolean skip) {
      this.skipIncompatible = skip;
      return this;
    }

    /**
     * @param index the index to create the target with, instead of the source's
     * @return this builder
     */
    public Builder targetIndex(IndexSpec index) {
      this.targetIndex = index;
      return this;
    }

    /**
     * @param dimension the dimension to create the target with (a transform must produce such vectors)
     * @return this builder
     */
    public Builder targetDimension(int dimension) {
      this.targetDimension = dimension;
      return this;
    }

    /**
     * @param size records per page read and per batch written (1..10,000; default 500)
     * @return this builder
     */
    public Builder batchSize(int size) {
      ListRequest.of(size); // validates the range
      this.batchSize = size;
      return this;
    }

    /**
     * @param threads batches written at once (default 4)
     * @return this builder
     */
    public Builder parallelism(int threads) {
      if (threads < 1 || threads > 64) {
        throw new InvalidArgumentException("parallelism must be between 1 and 64, got " + threads);
      }
      this.parallelism = threads;
      return this;
    }

    /**
     * @param recordsPerSecond at most this many records per second to the target; 0 for no limit
     * @return this builder
     */
    public Builder rate(double recordsPerSecond) {
      this.rate = recordsPerSecond;
      return this;
    }

    /**
     * @param file where the checkpoint is kept; {@code null} for none (a crash then means starting over)
     * @return this builder
     */
    public Builder checkpoint(Path file) {
      this.checkpoint = file;
      return this;
    }

    /**
     * @param resume continue the migration recorded in the checkpoint
     * @return this builder
     */
    public Builder resume(boolean resume) {
      this.resume = resume;
      return this;
    }

    /**
     * @param append copy into a target that already holds records (otherwise refused)
     * @return this builder
     */
    public Builder appendToExisting(boolean append) {
      this.append = append;
      return this;
    }

    /**
     * @param mode how to verify at the end (default FULL)
     * @return this builder
     */
    public Builder verify(Verify mode) {
      this.verify = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * @param records records compared in {@link Verify#SAMPLED} mode (default 1,000)
     * @return this builder
     */
    public Builder sampleSize(int records) {
      this.sampleSize = Math.max(1, records);
      return this;
    }

    /**
     * @param relative tolerance per vector component, relative to its magnitude (default 1e-6)
     * @return this builder
     */
    public Builder tolerance(double relative) {
      this.tolerance = relative;
      return this;
    }

    /**
     * @param attempts attempts per page read or batch write on transient errors (default 6)
     * @param backoff first wait between attempts, doubled each time up to 30 s (default 500 ms)
     * @return this builder
     */
    public Builder retries(int attempts, Duration backoff) {
      this.maxAttempts = attempts;
      this.retryBackoff = backoff;
      return this;
    }

    /**
     * @param l hears the progress
     * @return this builder
     */
    public Builder listener(ProgressListener l) {
      this.listener = Objects.requireNonNull(l, "listener");
      return this;
    }

    /**
     * Copies one tenant of a multi-tenant source into the same tenant of the target (created
     * multi-tenant when missing). The checkpoint file gets the suffix {@code .<tenant>}.
     *
     * @param tenant the tenant
     * @return this builder
     */
    public Builder tenant(String tenant) {
      this.tenant = tenant;
      return this;
    }

    /** @return the migration */
    public Migration build() {
      if (targetStore == null) {
        throw new InvalidArgumentException("no target: call to(store, collection)");
      }
      return new Migration(this, tenant);
    }

    /**
     * Copies every tenant of a multi-tenant source ({@link VectorCollection#tenants()}), one after
     * the other, each as {@link #tenant(String)} would; with {@link #resume(boolean)}, tenants whose
     * checkpoint says done are skipped and the others resume or start.
     *
     * @return one report per tenant copied, in tenant order
     */
    public List<MigrationReport> runEachTenant() {
      if (targetStore == null) {
        throw new InvalidArgumentException("no target: call to(store, collection)");
      }
      List<MigrationReport> reports = new ArrayList<>();
      for (String t : source.tenants()) {
        Migration m = new Migration(this, t);
        if (m.finishedBefore()) {
          listener.phase("tenant " + t + ": done before, skipped", 0, 0);
          continue;
        }
        listener.phase("tenant " + t, -1, 0);
        reports.add(m.run());
      }
      return reports;
    }

    /** @return {@link Migration#plan()} of the built migration */
    public MigrationPlan plan() {
      return build().plan();
    }

    /** @return {@link Migration#run()} of the built migration */
    public MigrationReport run() {
      return build().run();
    }
  }
}
