package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Record;
import java.io.DataInput;
import java.io.IOException;

/**
 * Receives the recovered state while {@link StoreStorage#open} runs: first the snapshot (if there is
 * one) section by section, then every WAL operation after the snapshot's sequence, in order. Every
 * byte reaching the handler has passed its checksum. If {@code open} throws, whatever the handler
 * built is to be discarded.
 */
public interface RecoveryHandler {

  /**
   * A snapshot is about to be read.
   *
   * @param coveredSequence the last WAL sequence its state includes
   */
  default void snapshotStart(long coveredSequence) {}

  /**
   * A collection section of the snapshot begins.
   *
   * @param spec the collection's spec
   */
  void collection(CollectionSpec spec);

  /**
   * In the section of a multi-tenant collection: the records and blobs that follow, up to the next
   * tenant or collection, belong to this tenant.
   *
   * @param collection the section's collection
   * @param tenant the tenant
   */
  default void tenant(String collection, String tenant) {
    throw new IllegalStateException("this handler does not take tenants");
  }

  /**
   * A record of the current section (or tenant).
   *
   * @param collection the section's collection
   * @param record the record
   */
  void record(String collection, Record record);

  /**
   * A blob of the current section. The handler may read all of it, part of it or none; the rest is
   * skipped. Reading past its end throws {@link java.io.EOFException}.
   *
   * @param collection the section's collection
   * @param name the blob's name
   * @param in its bytes
   * @throws IOException if the handler's reading fails
   */
  default void blob(String collection, String name, DataInput in) throws IOException {}

  /**
   * A WAL operation after the snapshot; apply it.
   *
   * @param sequence its sequence number
   * @param operation the operation
   */
  void operation(long sequence, Operation operation);
}
