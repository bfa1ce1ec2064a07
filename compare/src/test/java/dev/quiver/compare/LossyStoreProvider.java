package dev.quiver.compare;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Filter;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Page;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.StoreUri;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.spi.VectorStoreProvider;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * A deliberately wrong backend for tests, {@code lossy:}: an in-memory store whose filtered count,
 * list and search leave out every matching record whose id hashes to 0 mod 7, as a backend with a
 * broken filter translation might. Unfiltered calls are correct, so only the correctness columns can
 * catch it.
 */
public final class LossyStoreProvider implements VectorStoreProvider {

  @Override
  public Set<String> schemes() {
    return Set.of("lossy");
  }

  @Override
  public VectorStore open(StoreUri uri) {
    return new LossyStore(Quiver.open("memory:"));
  }

  static boolean dropped(String id) {
    return Math.floorMod(id.hashCode(), 7) == 0;
  }

  private record LossyStore(VectorStore inner) implements VectorStore {
    @Override
    public Capabilities capabilities() {
      return inner.capabilities();
    }

    @Override
    public VectorCollection createCollection(CollectionSpec spec) {
      return new LossyCollection(inner.createCollection(spec));
    }

    @Override
    public VectorCollection collection(String name) {
      return new LossyCollection(inner.collection(name));
    }

    @Override
    public boolean hasCollection(String name) {
      return inner.hasCollection(name);
    }

    @Override
    public CollectionSpec describeCollection(String name) {
      return inner.describeCollection(name);
    }

    @Override
    public List<String> listCollections() {
      return inner.listCollections();
    }

    @Override
    public boolean dropCollection(String name) {
      return inner.dropCollection(name);
    }

    @Override
    public void close() {
      inner.close();
    }
  }

  private record LossyCollection(VectorCollection inner) implements VectorCollection {
    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public CollectionSpec spec() {
      return inner.spec();
    }

    @Override
    public void upsert(List<Record> records) {
      inner.upsert(records);
    }

    @Override
    public List<Record> get(Collection<String> ids) {
      return inner.get(ids);
    }

    @Override
    public long count() {
      return inner.count();
    }

    @Override
    public long count(Filter filter) {
      long n = 0;
      ListRequest req = ListRequest.of(1000).filter(filter);
      while (true) {
        Page page = list(req);
        n += page.records().size();
        if (page.nextCursor().isEmpty()) {
          return n;
        }
        req = ListRequest.of(1000).filter(filter).cursor(page.nextCursor().get());
      }
    }

    @Override
    public Page list(ListRequest request) {
      Page page = inner.list(request);
      if (request.filter().isEmpty()) {
        return page;
      }
      return new Page(page.records().stream().filter(r -> !dropped(r.id())).toList(), page.nextCursor());
    }

    @Override
    public List<Match> search(SearchRequest request) {
      List<Match> matches = inner.search(request);
      return request.filter().isEmpty() ? matches : matches.stream().filter(m -> !dropped(m.id())).toList();
    }

    @Override
    public void delete(Collection<String> ids) {
      inner.delete(ids);
    }

    @Override
    public void delete(Filter filter) {
      inner.delete(filter);
    }

    @Override
    public boolean updateMetadata(String id, Metadata metadata) {
      return inner.updateMetadata(id, metadata);
    }
  }
}
