package dev.quiver.spi;

import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.Metric;
import dev.quiver.Page;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.UnsupportedFeatureException;
import dev.quiver.VectorCollection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The checked boundary of a collection (see {@link AbstractVectorStore}): every public call checks
 * its arguments against the collection's spec and the backend's {@link Capabilities} before the
 * adapter's {@code do...} method runs, so an adapter sees only valid input, and refused input has
 * written nothing. List cursors are wrapped here: an adapter returns and receives its own cursor
 * text, callers see a cursor bound to the collection and filter that a damaged or foreign cursor
 * cannot pass.
 *
 * <p>Tenants: on a multi-tenant collection the collection's own handle refuses every read and write
 * of records, and {@link #tenant(String)} hands out tenant handles made by {@link #doTenant}, which an
 * adapter builds with {@link #AbstractVectorCollection(AbstractVectorCollection, String)}; a tenant
 * handle's {@code do...} methods must keep every call inside {@link #tenant()}. Cursors are bound to
 * the tenant as well as to the collection and filter.
 */
public abstract class AbstractVectorCollection implements VectorCollection {

  private static final java.util.regex.Pattern TENANT = java.util.regex.Pattern.compile("[A-Za-z0-9_.@:-]{1,64}");

  private final AbstractVectorStore store;
  /** The collection's own handle: this one, or the one a tenant handle was made from. */
  private final AbstractVectorCollection root;
  private final Optional<String> tenant;
  /** Replaced (index only) when {@link #reindex} succeeds; read through {@link #root}. */
  private volatile CollectionSpec spec;

  /**
   * The collection's own handle.
   *
   * @param store the store this collection belongs to (its boundary maps errors and observes calls)
   * @param spec the collection's spec
   */
  protected AbstractVectorCollection(AbstractVectorStore store, CollectionSpec spec) {
    this.store = AbstractVectorStore.require(store, "store");
    this.spec = AbstractVectorStore.require(spec, "spec");
    this.root = this;
    this.tenant = Optional.empty();
  }

  /**
   * A tenant's handle, for {@link #doTenant}: it shares the collection's store and spec.
   *
   * @param collection the collection's own handle
   * @param tenant the tenant, as checked by {@link #tenant(String)}
   */
  protected AbstractVectorCollection(AbstractVectorCollection collection, String tenant) {
    AbstractVectorStore.require(collection, "collection");
    this.store = collection.store;
    this.root = collection.root;
    this.spec = null;
    this.tenant = Optional.of(checkTenant(tenant));
  }

  /**
   * Checks a tenant name: 1 to 64 characters from {@code A-Z a-z 0-9 _ - . @ :}.
   *
   * @param tenant a tenant name
   * @return the name
   * @throws InvalidArgumentException if it breaks the rule
   */
  public static String checkTenant(String tenant) {
    if (tenant == null || !TENANT.matcher(tenant).matches()) {
      throw new InvalidArgumentException("invalid tenant " + (tenant == null ? "null"
          : "'" + (tenant.length() > 80 ? tenant.substring(0, 80) + "..." : tenant) + "'")
          + ": use 1 to 64 characters from A-Z a-z 0-9 _ - . @ :");
    }
    return tenant;
  }

  @Override
  public final String name() {
    return spec().name();
  }

  @Override
  public final CollectionSpec spec() {
    return root.spec;
  }

  @Override
  public final Optional<String> tenant() {
    return tenant;
  }

  @Override
  public final VectorCollection tenant(String name) {
    return store.call(name(), "tenant", () -> {
      capabilities().require(Feature.TENANTS);
      if (!spec().multiTenant()) {
        throw new InvalidArgumentException("collection '" + name() + "' is not multi-tenant; create it with"
            + " CollectionSpec.Builder.multiTenant(true) to keep records in tenants");
      }
      if (tenant.isPresent()) {
        throw new InvalidArgumentException("this handle is already scoped to tenant '" + tenant.get()
            + "' of collection '" + name() + "'; call tenant(...) on the collection's own handle");
      }
      AbstractVectorCollection handle = doTenant(checkTenant(name));
      if (!handle.tenant.equals(Optional.of(name)) || handle.root != root) {
        throw new IllegalStateException("adapter bug: doTenant(" + name + ") returned a handle of another scope");
      }
      return handle;
    });
  }

  @Override
  public final List<String> tenants() {
    return store.call(name(), "tenants", () -> {
      capabilities().require(Feature.TENANTS);
      if (!spec().multiTenant()) {
        throw new InvalidArgumentException("collection '" + name() + "' is not multi-tenant, so it has no tenants");
      }
      if (tenant.isPresent()) {
        throw new InvalidArgumentException("tenants() lists the tenants of collection '" + name()
            + "'; call it on the collection's own handle, not on tenant '" + tenant.get() + "'");
      }
      return doTenants().stream().sorted().distinct().toList();
    });
  }

  /** What calls are named in messages and cursors: the collection, and the tenant if any. */
  private String scope() {
    return tenant.map(t -> name() + "/" + t).orElse(name());
  }

  /** Refuses reads and writes of records on the own handle of a multi-tenant collection. */
  private void requireScope() {
    if (tenant.isEmpty() && spec().multiTenant()) {
      throw new InvalidArgumentException("collection '" + name() + "' is multi-tenant: read and write its records"
          + " through collection.tenant(name)");
    }
  }

  /** @return the capabilities of the store this collection belongs to */
  protected final Capabilities capabilities() {
    return store.capabilities();
  }

  // ------------------------------------------------------------------ writes

  @Override
  public final void upsert(List<Record> records) {
    store.run(scope(), "upsert", () -> {
      requireScope();
      List<Record> valid = spec().checkRecords(records);
      if (spec().metric() != Metric.COSINE) {
        for (Record r : valid) {
          if (isZero(r.vector())) {
            capabilities().require(Feature.ZERO_VECTORS);
            break;
          }
        }
      }
      if (!valid.isEmpty()) {
        doUpsert(valid);
      }
    }, true);
  }

  @Override
  public final void delete(Collection<String> ids) {
    store.run(scope(), "delete", () -> {
      requireScope();
      List<String> valid = new ArrayList<>(Record.checkIds(ids));
      if (!valid.isEmpty()) {
        doDelete(valid);
      }
    }, true);
  }

  @Override
  public final void delete(Filter filter) {
    store.run(scope(), "deleteByFilter", () -> {
      requireScope();
      AbstractVectorStore.require(filter, "filter");
      capabilities().require(Feature.DELETE_BY_FILTER);
      doDelete(filter);
    }, true);
  }

  @Override
  public final boolean updateMetadata(String id, Metadata metadata) {
    return store.call(scope(), "updateMetadata", () -> {
      requireScope();
      Record.checkId(id);
      AbstractVectorStore.require(metadata, "metadata");
      spec().checkMetadata("record '" + id + "'", metadata);
      capabilities().require(Feature.UPDATE_METADATA);
      return doUpdateMetadata(id, metadata);
    });
  }

  // ------------------------------------------------------------------ reads

  @Override
  public final List<Record> get(Collection<String> ids) {
    return store.call(scope(), "get", () -> {
      requireScope();
      List<String> valid = new ArrayList<>(Record.checkIds(ids));
      return valid.isEmpty() ? List.of() : List.copyOf(doGet(valid));
    });
  }

  @Override
  public final Optional<Record> get(String id) {
    return store.call(scope(), "get", () -> {
      requireScope();
      Record.checkId(id);
      return doGet(List.of(id)).stream().findFirst();
    });
  }

  @Override
  public final long count() {
    return store.call(scope(), "count", () -> {
      requireScope();
      return doCount(Optional.empty());
    });
  }

  @Override
  public final long count(Filter filter) {
    return store.call(scope(), "count", () -> {
      requireScope();
      AbstractVectorStore.require(filter, "filter");
      capabilities().require(Feature.COUNT_BY_FILTER);
      return doCount(Optional.of(filter));
    });
  }

  @Override
  public final Page list(ListRequest request) {
    return store.call(scope(), "list", () -> {
      requireScope();
      AbstractVectorStore.require(request, "list request");
      if (request.filter().isPresent()) {
        capabilities().require(Feature.LIST_BY_FILTER);
      }
      ListRequest inner = request.cursor(request.cursor()
          .map(c -> Cursors.unwrap(scope(), request.filter(), c)).orElse(null));
      Page page = doList(inner);
      return new Page(page.records(), page.nextCursor().map(c -> Cursors.wrap(scope(), request.filter(), c)));
    });
  }

  @Override
  public final List<Match> search(SearchRequest request) {
    return store.call(scope(), "search", () -> {
      requireScope();
      AbstractVectorStore.require(request, "search request");
      spec().checkVector("query vector", request.vector());
      Capabilities caps = capabilities();
      if (request.topK() > caps.maxTopK()) {
        throw new InvalidArgumentException(
            "topK " + request.topK() + " exceeds " + caps.backend() + "'s limit of " + caps.maxTopK());
      }
      if (request.ef().isPresent()) {
        caps.require(Feature.SEARCH_EF);
      }
      if (request.nprobe().isPresent()) {
        caps.require(Feature.SEARCH_NPROBE);
      }
      return List.copyOf(doSearch(request));
    });
  }

  /**
   * Checks the new index (an index kind the backend offers, parameters that fit this collection) and the
   * backend's {@link Feature#REINDEX}, then calls {@link #doReindex}; when it returns, {@link #spec()}
   * reports the new index.
   */
  @Override
  public final void reindex(IndexSpec index) {
    store.run(scope(), "reindex", () -> {
      AbstractVectorStore.require(index, "index");
      if (tenant.isPresent()) {
        throw new InvalidArgumentException("reindex(...) changes the whole collection '" + name()
            + "'; call it on the collection's own handle, not on tenant '" + tenant.get() + "'");
      }
      CollectionSpec target = spec().toBuilder().index(index).build(); // e.g. PQ subspaces must divide the dimension
      Capabilities caps = capabilities();
      caps.require(Feature.REINDEX);
      caps.require(index.feature());
      doReindex(target);
      root.spec = target;
    }, true);
  }

  // ------------------------------------------------------------------ what adapters implement

  /**
   * For {@link #doReindex}: the collection now serves searches with {@code target}'s index, so
   * {@link #spec()} reports it from now on, even if {@code doReindex} then fails (say, while making the
   * change durable).
   *
   * @param target the spec {@code doReindex} was given
   */
  protected final void switchedTo(CollectionSpec target) {
    root.spec = AbstractVectorStore.require(target, "target");
  }

  /**
   * Re-builds the collection with another index (or re-builds the same one) while reads and writes
   * continue; see {@link VectorCollection#reindex}. The default refuses: a backend that offers
   * {@link Feature#REINDEX} overrides it.
   *
   * @param target the collection's spec with the new index (name, dimension and metric unchanged)
   * @throws UnsupportedFeatureException unless overridden
   */
  protected void doReindex(CollectionSpec target) {
    throw new UnsupportedFeatureException(capabilities().backend(), Feature.REINDEX,
        capabilities().entry(Feature.REINDEX).note());
  }

  /**
   * Makes a tenant's handle: {@code new MyCollection(this, tenant)} or the like, using
   * {@link #AbstractVectorCollection(AbstractVectorCollection, String)}. Called only on the own handle
   * of a multi-tenant collection, with a checked tenant name. The default refuses: a backend that
   * offers {@link Feature#TENANTS} overrides it.
   *
   * @param tenant a valid tenant name
   * @return the tenant's handle
   */
  protected AbstractVectorCollection doTenant(String tenant) {
    throw new UnsupportedFeatureException(capabilities().backend(), Feature.TENANTS,
        capabilities().entry(Feature.TENANTS).note());
  }

  /**
   * Lists the tenants that hold at least one record. Called only on the own handle of a multi-tenant
   * collection. The default refuses: a backend that offers {@link Feature#TENANTS} overrides it.
   *
   * @return the tenant names, any order
   */
  protected List<String> doTenants() {
    throw new UnsupportedFeatureException(capabilities().backend(), Feature.TENANTS,
        "listing tenants is not implemented by this adapter");
  }

  /** @param records valid records of the right dimension, ids unique, at least one */
  protected abstract void doUpsert(List<Record> records);

  /** @param ids valid ids, each once, at least one */
  protected abstract void doDelete(List<String> ids);

  /** @param filter a filter (the backend supports delete by filter) */
  protected abstract void doDelete(Filter filter);

  /**
   * @param id a valid id
   * @param metadata the new metadata
   * @return whether the record existed
   */
  protected abstract boolean doUpdateMetadata(String id, Metadata metadata);

  /**
   * @param ids valid ids, each once, at least one
   * @return the records found, in request order
   */
  protected abstract List<Record> doGet(List<String> ids);

  /** @param filter a filter, or empty for all records @return the number of matching records */
  protected abstract long doCount(Optional<Filter> filter);

  /**
   * @param request a request whose cursor, if any, is a cursor this adapter returned earlier for the
   *     same collection and filter
   * @return the page, with the adapter's own next cursor
   */
  protected abstract Page doList(ListRequest request);

  /**
   * @param request a request whose vector has the collection's dimension, whose top-k is within the
   *     backend's limit and whose hints the backend supports
   * @return the matches, best first
   */
  protected abstract List<Match> doSearch(SearchRequest request);

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0f) {
        return false;
      }
    }
    return true;
  }
}
