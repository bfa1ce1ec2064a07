package dev.quiver;

import java.util.List;
import java.util.Optional;

/**
 * One page of {@link VectorCollection#list(ListRequest)}.
 *
 * @param records the records on this page, with vectors and metadata
 * @param nextCursor where the next page starts; empty on the last page
 */
public record Page(List<Record> records, Optional<String> nextCursor) {
  /** Copies the list. */
  public Page {
    records = List.copyOf(records);
    nextCursor = nextCursor == null ? Optional.empty() : nextCursor;
  }
}
