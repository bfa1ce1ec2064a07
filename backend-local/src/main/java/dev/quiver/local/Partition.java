package dev.quiver.local;

import dev.quiver.CollectionSpec;

/**
 * The records of a collection without tenants, or of one tenant of a multi-tenant collection: a
 * {@link CollectionState} (records by id and ordinal, metadata index, HNSW graph or IVF index) with its
 * write path, read path and snapshot glue. Tenants never share a partition, so a tenant's reads and
 * writes touch no other tenant's records, index entries or vectors, and the same id in two tenants is
 * two records.
 */
final class Partition {

  /** Null for the one partition of a collection without tenants. */
  final String tenant;
  final CollectionState state;
  final WritePath writes;
  final ReadPath reads;
  final CollectionSnapshots snapshots;

  /**
   * @param store the store
   * @param collection the collection's own handle (its liveness is checked on every call)
   * @param spec the collection's spec with the index this partition starts with
   * @param tenant the tenant, or null
   */
  Partition(LocalVectorStore store, LocalCollection collection, CollectionSpec spec, String tenant) {
    this.tenant = tenant;
    this.state = new CollectionState(spec);
    this.writes = new WritePath(store, collection, state, tenant);
    this.reads = new ReadPath(store, collection, state);
    this.snapshots = new CollectionSnapshots(state, tenant);
  }

  /** @return "collection 'c'" or "collection 'c', tenant 't'", for messages */
  String describe() {
    return "collection '" + state.spec.name() + "'" + (tenant == null ? "" : ", tenant '" + tenant + "'");
  }
}
