package dev.quiver.local;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One in-memory collection with the exact FLAT index. Records are kept sorted by id, which gives
 * {@link #list} its stable order: a cursor is the last id returned, and the next page starts after it.
 */
final class LocalCollection implements VectorCollection {

  private final LocalVectorStore store;
  private final CollectionSpec spec;
  private final TreeMap<String, Record> records = new TreeMap<>();
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  LocalCollection(LocalVectorStore store, CollectionSpec spec) {
    this.store = store;
    this.spec = spec;
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public void upsert(List<Record> batch) {
    store.checkLive(this);
    if (batch == null) {
      throw new InvalidArgumentException("records must not be null");
    }
    // Validate everything first: a bad record fails the whole call and nothing is written.
    Set<String> seen = new HashSet<>();
    for (Record r : batch) {
      if (r == null) {
        throw new InvalidArgumentException("records must not contain null");
      }
      spec.checkVector("record '" + r.id() + "'", r.vector());
      if (!seen.add(r.id())) {
        throw new InvalidArgumentException("record id '" + r.id() + "' appears twice in one upsert");
      }
    }
    lock.writeLock().lock();
    try {
      for (Record r : batch) {
        records.put(r.id(), r);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public List<Record> get(Collection<String> ids) {
    store.checkLive(this);
    Set<String> wanted = checkIds(ids);
    List<Record> out = new ArrayList<>();
    lock.readLock().lock();
    try {
      for (String id : wanted) {
        Record r = records.get(id);
        if (r != null) {
          out.add(r);
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    return out;
  }

  @Override
  public void delete(Collection<String> ids) {
    store.checkLive(this);
    Set<String> doomed = checkIds(ids);
    lock.writeLock().lock();
    try {
      doomed.forEach(records::remove);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void delete(Filter filter) {
    store.checkLive(this);
    checkFilter(filter);
    lock.writeLock().lock();
    try {
      records.values().removeIf(r -> filter.matches(r.metadata()));
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean updateMetadata(String id, Metadata metadata) {
    store.checkLive(this);
    Record.checkId(id);
    if (metadata == null) {
      throw new InvalidArgumentException("metadata must not be null");
    }
    lock.writeLock().lock();
    try {
      Record r = records.get(id);
      if (r == null) {
        return false;
      }
      records.put(id, r.withMetadata(metadata));
      return true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public long count() {
    store.checkLive(this);
    lock.readLock().lock();
    try {
      return records.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long count(Filter filter) {
    store.checkLive(this);
    checkFilter(filter);
    lock.readLock().lock();
    try {
      return records.values().stream().filter(r -> filter.matches(r.metadata())).count();
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public Page list(ListRequest request) {
    store.checkLive(this);
    if (request == null) {
      throw new InvalidArgumentException("list request must not be null");
    }
    Optional<String> after = request.cursor().map(LocalCollection::decodeCursor);
    Filter filter = request.filter().orElse(null);
    List<Record> page = new ArrayList<>(Math.min(request.pageSize(), 1024));
    boolean more = false;
    lock.readLock().lock();
    try {
      Map<String, Record> tail = after.isPresent() ? records.tailMap(after.get(), false) : records;
      for (Record r : tail.values()) {
        if (filter != null && !filter.matches(r.metadata())) {
          continue;
        }
        if (page.size() == request.pageSize()) {
          more = true;
          break;
        }
        page.add(r);
      }
    } finally {
      lock.readLock().unlock();
    }
    Optional<String> next = more ? Optional.of(encodeCursor(page.get(page.size() - 1).id())) : Optional.empty();
    return new Page(page, next);
  }

  @Override
  public List<Match> search(SearchRequest request) {
    store.checkLive(this);
    if (request == null) {
      throw new InvalidArgumentException("search request must not be null");
    }
    float[] query = request.vector();
    spec.checkVector("query vector", query);
    if (request.ef().isPresent()) {
      store.capabilities().require(Feature.SEARCH_EF);
    }
    if (request.nprobe().isPresent()) {
      store.capabilities().require(Feature.SEARCH_NPROBE);
    }
    if (request.topK() > store.capabilities().maxTopK()) {
      throw new InvalidArgumentException("topK " + request.topK() + " exceeds the limit of "
          + store.capabilities().maxTopK());
    }
    Filter filter = request.filter().orElse(null);
    double minScore = request.minScore().orElse(Double.NEGATIVE_INFINITY);
    Metric metric = spec.metric();
    // Worst match on top, so the heap keeps the best topK; ties: the larger id is worse.
    Comparator<Scored> worstFirst = Comparator.comparingDouble(Scored::distance).reversed()
        .thenComparing(Scored::id, Comparator.reverseOrder());
    PriorityQueue<Scored> heap = new PriorityQueue<>(worstFirst);
    lock.readLock().lock();
    try {
      for (Record r : records.values()) {
        if (filter != null && !filter.matches(r.metadata())) {
          continue;
        }
        double distance = metric.distance(query, r.vector());
        if (metric.scoreFromDistance(distance) < minScore) {
          continue;
        }
        heap.add(new Scored(r, distance));
        if (heap.size() > request.topK()) {
          heap.poll();
        }
      }
    } finally {
      lock.readLock().unlock();
    }
    List<Scored> best = new ArrayList<>(heap);
    best.sort(worstFirst.reversed());
    List<Match> out = new ArrayList<>(best.size());
    for (Scored s : best) {
      out.add(new Match(s.record.id(), metric.scoreFromDistance(s.distance), s.distance,
          request.includeVectors() ? s.record.vector() : null,
          request.includeMetadata() ? s.record.metadata() : Metadata.empty()));
    }
    return out;
  }

  private record Scored(Record record, double distance) {
    String id() {
      return record.id();
    }
  }

  private static Set<String> checkIds(Collection<String> ids) {
    if (ids == null) {
      throw new InvalidArgumentException("ids must not be null");
    }
    Set<String> out = new LinkedHashSet<>();
    for (String id : ids) {
      out.add(Record.checkId(id));
    }
    return out;
  }

  private static void checkFilter(Filter filter) {
    if (filter == null) {
      throw new InvalidArgumentException("filter must not be null");
    }
  }

  private static String encodeCursor(String lastId) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(lastId.getBytes(StandardCharsets.UTF_8));
  }

  private static String decodeCursor(String cursor) {
    try {
      return Record.checkId(new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new InvalidArgumentException("cursor '" + cursor + "' was not made by this collection's list()");
    }
  }

  @Override
  public String toString() {
    return "LocalCollection[" + spec + "]";
  }
}
