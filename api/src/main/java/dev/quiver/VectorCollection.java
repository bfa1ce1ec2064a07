package dev.quiver;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The records of one collection. Every write validates all its input before anything is written: a
 * bad record fails the whole call with a typed error and nothing is stored. Thread-safe.
 */
public interface VectorCollection {

  /** @return the collection's name */
  String name();

  /** @return the collection's spec */
  CollectionSpec spec();

  /**
   * A handle on one tenant of a {@link CollectionSpec#multiTenant() multi-tenant} collection. Every
   * get, list, count, search, upsert, update and delete through it stays inside the tenant, whatever
   * filter or ids the caller passes: a record is reached only through the tenant it was written in,
   * and ids are scoped per tenant (the same id in two tenants names two records). On the collection's
   * own handle, reads and writes of records are refused, so nothing is written or read outside a
   * tenant by mistake. Tenants need no creation: a tenant with no records is empty.
   *
   * @param tenant 1 to 64 characters from {@code A-Z a-z 0-9 _ - . @ :}
   * @return the tenant's handle (its {@link #name()} and {@link #spec()} are the collection's)
   * @throws InvalidArgumentException on a bad tenant name, if the collection is not multi-tenant, or
   *     if this handle is already a tenant's
   * @throws UnsupportedFeatureException if the backend lacks {@link Feature#TENANTS}
   */
  default VectorCollection tenant(String tenant) {
    // adapters built on dev.quiver.spi.AbstractVectorCollection override this with their backend's answer
    throw new UnsupportedFeatureException("this adapter", Feature.TENANTS,
        name() + " is served by an adapter that does not offer tenants");
  }

  /**
   * The tenants of a multi-tenant collection that hold at least one record, for tools that must
   * visit them all (migration, export). On some backends this reads every record's tenant (see the
   * backend's docs); call it for administration, not per request.
   *
   * @return the tenant names, sorted
   * @throws InvalidArgumentException if the collection is not multi-tenant, or this is a tenant's handle
   * @throws UnsupportedFeatureException if the backend lacks {@link Feature#TENANTS}
   */
  default java.util.List<String> tenants() {
    throw new UnsupportedFeatureException("this adapter", Feature.TENANTS,
        name() + " is served by an adapter that does not offer tenants");
  }

  /** @return the tenant this handle is scoped to; empty for the collection's own handle */
  default Optional<String> tenant() {
    return Optional.empty();
  }

  /**
   * Inserts or replaces records: a record whose id exists replaces the stored one, vector and
   * metadata. Large batches are split to the backend's limits inside the adapter.
   *
   * @param records records whose vectors fit this collection; ids must be unique within the call
   * @throws DimensionMismatchException if a vector has the wrong length
   * @throws InvalidArgumentException on a duplicate id or a zero vector under COSINE
   */
  void upsert(List<Record> records);

  /**
   * @param records records to insert or replace
   * @see #upsert(List)
   */
  default void upsert(Record... records) {
    upsert(Arrays.asList(records));
  }

  /**
   * @param ids record ids
   * @return the records that exist, in the order of {@code ids} (missing ids are left out, duplicates once)
   */
  List<Record> get(Collection<String> ids);

  /**
   * @param id a record id
   * @return the record, if it exists
   */
  default Optional<Record> get(String id) {
    return get(List.of(id)).stream().findFirst();
  }

  /**
   * Deletes records by id; ids that do not exist are ignored.
   *
   * @param ids record ids
   */
  void delete(Collection<String> ids);

  /**
   * Deletes every record that matches the filter, however many there are.
   *
   * @param filter which records to delete
   * @throws UnsupportedFeatureException if the backend lacks {@link Feature#DELETE_BY_FILTER}
   */
  void delete(Filter filter);

  /**
   * Replaces a record's metadata, keeping its vector.
   *
   * @param id a record id
   * @param metadata the new metadata, in full
   * @return {@code true} if the record existed (and was updated), {@code false} if not (nothing written)
   * @throws UnsupportedFeatureException if the backend lacks {@link Feature#UPDATE_METADATA}
   */
  boolean updateMetadata(String id, Metadata metadata);

  /** @return the number of records */
  long count();

  /**
   * @param filter which records to count
   * @return the exact number of matching records
   */
  long count(Filter filter);

  /**
   * @param request page size, optional filter, and the cursor of the previous page
   * @return one page of records (with vectors and metadata) and the next page's cursor
   * @throws InvalidArgumentException if the cursor was not made by this collection
   */
  Page list(ListRequest request);

  /**
   * @param request the query
   * @return up to {@code topK} matches, best first (ties broken by id)
   * @throws DimensionMismatchException if the query vector has the wrong length
   */
  List<Match> search(SearchRequest request);

  /**
   * Changes the collection's index — its kind or its parameters — while reads and writes continue; asking
   * for the index the collection has re-builds it, which for IVF means re-training on the current
   * records. The name, dimension, metric and records stay as they are. Searches use the old index until
   * the new one is complete, then the new one; a write made meanwhile is in both. When the call returns,
   * {@link #spec()} has the new index (and, on a durable store, so does the store after a crash); a call
   * that fails or is interrupted leaves the old index in place, or — if it failed after the switch — the
   * new one, never a mix. How each backend maps this: {@code docs/index-kinds.md}.
   *
   * @param index the new index
   * @throws UnsupportedFeatureException if the backend lacks {@link Feature#REINDEX} or the index kind
   * @throws InvalidArgumentException if the index does not fit the collection (PQ subspaces must divide
   *     the dimension)
   */
  default void reindex(IndexSpec index) {
    // adapters built on dev.quiver.spi.AbstractVectorCollection override this with their backend's answer
    throw new UnsupportedFeatureException("this adapter", Feature.REINDEX,
        name() + " is served by an adapter that does not offer re-indexing");
  }
}
