package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Metadata;
import dev.quiver.Record;
import java.util.List;

/**
 * A logical write to the store, as the write-ahead log records it. The engine validates an operation
 * fully before appending it, so replaying the log never meets an operation that the engine would
 * refuse; replay applies operations in sequence order.
 *
 * <p>Deletes by filter are logged as {@link Delete} of the ids the filter matched at the time (the
 * engine resolves them under its write lock), so replay is exact even if filter semantics change.
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

  /**
   * Inserts or replaces records (same id replaces).
   *
   * @param collection the name
   * @param records the batch, in order (a later record with the same id wins)
   */
  record Upsert(String collection, List<Record> records) implements Operation {
    /** Checks the name and copies the list. */
    public Upsert {
      CollectionSpec.checkName(collection);
      records = List.copyOf(records);
    }
  }

  /**
   * Deletes records by id; missing ids are ignored.
   *
   * @param collection the name
   * @param ids the ids
   */
  record Delete(String collection, List<String> ids) implements Operation {
    /** Checks the name and the ids and copies the list. */
    public Delete {
      CollectionSpec.checkName(collection);
      ids = List.copyOf(ids);
      ids.forEach(Record::checkId);
    }
  }

  /**
   * Replaces one record's metadata (a no-op when the id is missing, as in the API).
   *
   * @param collection the name
   * @param id the record id
   * @param metadata the new metadata
   */
  record UpdateMetadata(String collection, String id, Metadata metadata) implements Operation {
    /** Checks the name and the id. */
    public UpdateMetadata {
      CollectionSpec.checkName(collection);
      Record.checkId(id);
      java.util.Objects.requireNonNull(metadata, "metadata");
    }
  }
}
