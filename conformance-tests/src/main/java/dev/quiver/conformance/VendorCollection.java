package dev.quiver.conformance;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A collection as the vendor's own client sees it, for {@link ForeignCollectionKit}: the kit compares
 * what Quiver reads with what this view reads. Implementations call the vendor's client (a Python
 * script with pymilvus or qdrant-client, the vendor's Java SDK, plain HTTP as the vendor documents it).
 */
public interface VendorCollection {

  /** @return the number of records, by the vendor's count */
  long count();

  /** @return every record's id, in the form Quiver exposes it (decimal for integer keys, canonical UUIDs) */
  List<String> ids();

  /**
   * @param id a record id, as Quiver exposes it
   * @return the record's fields as the vendor's client reads them (metadata keys flattened as the
   *     layout's documented mapping does), or empty if there is no such record
   */
  Optional<Map<String, Object>> get(String id);

  /**
   * @param query a query vector
   * @param k how many
   * @param category only records whose {@code category} is this, or {@code null} for all
   * @return the ids of the vendor's search, best first
   */
  List<String> search(float[] query, int k, String category);

  /** Drops the collection with the vendor's client; nothing if it is gone. */
  void drop();
}
