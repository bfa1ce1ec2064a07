package dev.quiver.local.internal.storage;

import dev.quiver.CollectionSpec;
import dev.quiver.Record;
import java.io.DataOutput;
import java.io.IOException;

/**
 * What the engine writes a snapshot through: a section per collection, each holding the spec, the
 * records, and any number of named opaque blobs (an index graph, IVF centroids, tombstones…). The
 * storage layer encodes records itself (exactly, like the WAL) and stores blobs as checksummed,
 * length-delimited bytes, so the engine never has to know a blob's size up front.
 *
 * <p>Order inside a section is preserved on reading. Write records before the blobs that refer to
 * them (for example a graph whose node numbers are record positions), so the reader can rebuild the
 * mapping first.
 */
public interface SnapshotWriter {

  /**
   * Starts the section of a collection; the previous section, if any, ends.
   *
   * @param spec the collection's spec
   * @throws IOException if writing fails
   */
  void collection(CollectionSpec spec) throws IOException;

  /**
   * Starts the part of the current section that holds one tenant's records and blobs (multi-tenant
   * collections only); it ends at the next tenant or collection.
   *
   * @param tenant the tenant (a valid tenant name)
   * @throws IOException if writing fails
   * @throws IllegalStateException outside the section of a multi-tenant collection
   */
  void tenant(String tenant) throws IOException;

  /**
   * Adds a record to the current section (or tenant).
   *
   * @param record the record
   * @throws IOException if writing fails
   * @throws IllegalStateException before the first {@link #collection}
   */
  void record(Record record) throws IOException;

  /**
   * Adds an opaque blob to the current section, for example {@code w.blob("hnsw", graph::writeTo)}.
   *
   * @param name identifies the blob to the reader (non-empty, at most 255 UTF-8 bytes)
   * @param content writes the bytes
   * @throws IOException if writing fails
   * @throws IllegalStateException before the first {@link #collection}
   */
  void blob(String name, BlobContent content) throws IOException;

  /** Writes a blob's bytes. */
  @FunctionalInterface
  interface BlobContent {
    /**
     * @param out where to write; buffered, closing is not needed
     * @throws IOException if writing fails
     */
    void writeTo(DataOutput out) throws IOException;
  }

  /** The engine's side of a snapshot: writes the state it holds at the covered sequence. */
  @FunctionalInterface
  interface Source {
    /**
     * @param writer where to write the state
     * @throws IOException if writing fails
     */
    void writeTo(SnapshotWriter writer) throws IOException;
  }
}
