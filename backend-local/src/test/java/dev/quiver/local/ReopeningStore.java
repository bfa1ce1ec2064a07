package dev.quiver.local;

import dev.quiver.Capabilities;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * A durable store that closes and reopens its directory before every read that follows a write, so
 * every read is answered by a store rebuilt from disk (a snapshot written at close, and the log):
 * running the conformance kit through it checks the reopened store, not the one that was written to.
 * Collection handles, tenant handles included, resolve their collection (and tenant) on every call; a
 * handle whose collection was dropped (or dropped and created again) through this store keeps failing
 * with {@link CollectionNotFoundException}, as a plain store's handle does. Reads and writes run concurrently; a reopen waits for the calls in flight.
 */
final class ReopeningStore implements VectorStore {

  private final Path directory;
  private final SearchPlanner planner;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, Integer> generations = new ConcurrentHashMap<>();
  private volatile LocalVectorStore current;
  private volatile boolean dirty;
  private volatile boolean closed;
  /** Reopens and IVF indexes restored from snapshots by all instances (for reports). */
  static final java.util.concurrent.atomic.AtomicInteger REOPENS = new java.util.concurrent.atomic.AtomicInteger();
  static final java.util.concurrent.atomic.AtomicInteger IVF_RESTORED = new java.util.concurrent.atomic.AtomicInteger();

  ReopeningStore(Path directory, SearchPlanner planner) {
    this.directory = directory;
    this.planner = planner;
    this.current = open();
  }

  Path directory() {
    return directory;
  }

  private LocalVectorStore open() {
    LocalVectorStore s = LocalVectorStore.open(directory);
    IVF_RESTORED.addAndGet(s.ivfReused());
    if (planner != null) {
      s.plannerForNewCollections = planner; // for collections created from now on
      DurableTestAccess.searchThroughIndexes(s); // and those recovered at open
    }
    return s;
  }

  private void reopenIfDirty() {
    if (!dirty || closed) {
      return;
    }
    lock.writeLock().lock();
    try {
      if (dirty && !closed) {
        current.close();
        current = open();
        dirty = false;
        REOPENS.incrementAndGet();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  private <T> T read(Supplier<T> call) {
    reopenIfDirty();
    lock.readLock().lock();
    try {
      return call.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  private <T> T write(Supplier<T> call) {
    lock.readLock().lock();
    try {
      return call.get();
    } finally {
      dirty = true;
      lock.readLock().unlock();
    }
  }

  @Override
  public VectorCollection createCollection(CollectionSpec spec) {
    VectorCollection c = write(() -> current.createCollection(spec));
    int generation = generations.merge(spec.name(), 1, Integer::sum);
    return new Handle(c.spec(), generation, null);
  }

  @Override
  public VectorCollection collection(String name) {
    VectorCollection c = read(() -> current.collection(name));
    return new Handle(c.spec(), generations.computeIfAbsent(name, n -> 0), null);
  }

  @Override
  public VectorCollection collection(String name, String vector) {
    return read(() -> current.collection(name, vector)); // the embedded engine refuses named vectors
  }

  @Override
  public boolean hasCollection(String name) {
    return read(() -> current.hasCollection(name));
  }

  @Override
  public List<String> listCollections() {
    return read(() -> current.listCollections());
  }

  @Override
  public CollectionSpec describeCollection(String name) {
    return read(() -> current.describeCollection(name));
  }

  @Override
  public boolean dropCollection(String name) {
    boolean dropped = write(() -> current.dropCollection(name));
    if (dropped) {
      generations.merge(name, 1, Integer::sum);
    }
    return dropped;
  }

  @Override
  public Capabilities capabilities() {
    return current.capabilities();
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
      current.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A collection or tenant handle that finds its collection (and tenant) in the current store on every call. */
  private final class Handle implements VectorCollection {
    private volatile CollectionSpec spec;
    private final int generation;
    /** Null for the collection's own handle. */
    private final String tenant;
    /** A tenant handle's collection handle, whose spec it shows (a reindex changes it); null otherwise. */
    private final Handle parent;

    Handle(CollectionSpec spec, int generation, String tenant) {
      this(spec, generation, tenant, null);
    }

    private Handle(CollectionSpec spec, int generation, String tenant, Handle parent) {
      this.spec = spec;
      this.generation = generation;
      this.tenant = tenant;
      this.parent = parent;
    }

    private VectorCollection target() {
      if (generations.getOrDefault(spec.name(), 0) != generation && !closed) {
        throw new CollectionNotFoundException(spec.name());
      }
      VectorCollection c = current.collection(spec.name());
      return tenant == null ? c : c.tenant(tenant);
    }

    @Override
    public String name() {
      return spec().name();
    }

    @Override
    public void upsert(List<Record> records) {
      write(() -> {
        target().upsert(records);
        return null;
      });
    }

    @Override
    public List<Record> get(Collection<String> ids) {
      return read(() -> target().get(ids));
    }

    @Override
    public void delete(Collection<String> ids) {
      write(() -> {
        target().delete(ids);
        return null;
      });
    }

    @Override
    public void delete(Filter filter) {
      write(() -> {
        target().delete(filter);
        return null;
      });
    }

    @Override
    public boolean updateMetadata(String id, Metadata metadata) {
      return write(() -> target().updateMetadata(id, metadata));
    }

    @Override
    public long count() {
      return read(() -> target().count());
    }

    @Override
    public long count(Filter filter) {
      return read(() -> target().count(filter));
    }

    @Override
    public Page list(ListRequest request) {
      return read(() -> target().list(request));
    }

    @Override
    public List<Match> search(SearchRequest request) {
      return read(() -> target().search(request));
    }

    @Override
    public void reindex(dev.quiver.IndexSpec index) {
      write(() -> {
        target().reindex(index);
        return null;
      });
      spec = spec.toBuilder().index(index).build();
    }

    @Override
    public java.util.Optional<String> tenant() {
      return java.util.Optional.ofNullable(tenant);
    }

    @Override
    public List<String> tenants() {
      return read(() -> target().tenants());
    }

    @Override
    public VectorCollection tenant(String name) {
      VectorCollection checked = read(() -> target().tenant(name)); // the store's checks and errors
      return new Handle(spec, generation, checked.tenant().orElseThrow(), this);
    }

    @Override
    public CollectionSpec spec() {
      return parent != null ? parent.spec() : spec;
    }
  }
}
