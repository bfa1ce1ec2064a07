package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Record;
import dev.quiver.spi.AbstractVectorCollection;
import java.util.List;

/**
 * A logical write to the store, as the write-ahead log records it. The engine validates an operation
 * fully before appending it, so replaying the log never meets an operation that the engine would
 * refuse; replay applies operations in sequence order.
 *
 * <p>Deletes by filter are logged as {@link Delete} of the ids the filter matched at the time (the
 * engine resolves them under its write lock), so replay is exact even if filter semantics change.
 *
 * <p>Record operations carry a {@code tenant}: null for a collection that is not multi-tenant, else the
 * tenant (partition) whose records they change; ids are scoped to it.
 */
public sealed interface Operation {

  /** @return the collection this operation targets */
  String collection();

  /**
   * Creates a collection.
   *
   * @param spec the collection's spec
   */
  record CreateCollection(CollectionSpec spec) implements Operation {
    @Override
    public String collection() {
      return spec.name();
    }
  }

  /**
   * Drops a collection and its records.
   *
   * @param collection the name
   */
  record DropCollection(String collection) implements Operation {
    /** Checks the name. */
    public DropCollection {
      CollectionSpec.checkName(collection);
    }
  }

  /** @return the tenant whose records the operation changes, or null (not a tenant operation) */
  default String tenant() {
    return null;
  }

  /** Checks a tenant as the API does; null (no tenant) passes. */
  private static String checkTenant(String tenant) {
    return tenant == null ? null : AbstractVectorCollection.checkTenant(tenant);
  }

  /**
   * Inserts or replaces records (same id replaces).
   *
   * @param collection the name
   * @param tenant the tenant, or null
   * @param records the batch, in order (a later record with the same id wins)
   */
  record Upsert(String collection, String tenant, List<Record> records) implements Operation {
    /** Checks the name and tenant and copies the list. */
    public Upsert {
      CollectionSpec.checkName(collection);
      checkTenant(tenant);
      records = List.copyOf(records);
    }

    /** An upsert into a collection without tenants. */
    public Upsert(String collection, List<Record> records) {
      this(collection, null, records);
    }
  }

  /**
   * Deletes records by id; missing ids are ignored.
   *
   * @param collection the name
   * @param tenant the tenant, or null
   * @param ids the ids
   */
  record Delete(String collection, String tenant, List<String> ids) implements Operation {
    /** Checks the name, the tenant and the ids and copies the list. */
    public Delete {
      CollectionSpec.checkName(collection);
      checkTenant(tenant);
      ids = List.copyOf(ids);
      ids.forEach(Record::checkId);
    }

    /** A delete in a collection without tenants. */
    public Delete(String collection, List<String> ids) {
      this(collection, null, ids);
    }
  }

  /**
   * Replaces one record's metadata (a no-op when the id is missing, as in the API).
   *
   * @param collection the name
   * @param tenant the tenant, or null
   * @param id the record id
   * @param metadata the new metadata
   */
  record UpdateMetadata(String collection, String tenant, String id, Metadata metadata) implements Operation {
    /** Checks the name, the tenant and the id. */
    public UpdateMetadata {
      CollectionSpec.checkName(collection);
      checkTenant(tenant);
      Record.checkId(id);
      java.util.Objects.requireNonNull(metadata, "metadata");
    }

    /** An update in a collection without tenants. */
    public UpdateMetadata(String collection, String id, Metadata metadata) {
      this(collection, null, id, metadata);
    }
  }
}
