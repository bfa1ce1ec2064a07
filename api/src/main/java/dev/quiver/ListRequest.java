package dev.quiver;

import java.util.Optional;

/**
 * One page of a scroll through a collection. Pages come in a stable order (by id where the backend
 * allows); following {@link Page#nextCursor()} until it is empty visits every record that existed for
 * the whole scroll exactly once, even while other records are written.
 *
 * <pre>{@code
 * ListRequest req = ListRequest.of(500).filter("tenant == 'acme'");
 * for (Page page = docs.list(req); ; page = docs.list(req.cursor(page.nextCursor().get()))) {
 *   ...
 *   if (page.nextCursor().isEmpty()) break;
 * }
 * }</pre>
 */
public final class ListRequest {

  /** Largest page size. */
  public static final int MAX_PAGE_SIZE = 10_000;

  private final int pageSize;
  private final Filter filter;
  private final String cursor;

  private ListRequest(int pageSize, Filter filter, String cursor) {
    this.pageSize = pageSize;
    this.filter = filter;
    this.cursor = cursor;
  }

  /**
   * @param pageSize records per page, 1..10000
   * @return a request for the first page, without filter
   */
  public static ListRequest of(int pageSize) {
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new InvalidArgumentException("pageSize must be between 1 and " + MAX_PAGE_SIZE + ", got " + pageSize);
    }
    return new ListRequest(pageSize, null, null);
  }

  /**
   * @param filter only records matching it, or {@code null} for all
   * @return a copy with the filter
   */
  public ListRequest filter(Filter filter) {
    return new ListRequest(pageSize, filter, cursor);
  }

  /**
   * @param filterText a text filter
   * @return a copy with the parsed filter
   */
  public ListRequest filter(String filterText) {
    return filter(Filter.parse(filterText));
  }

  /**
   * @param cursor a {@link Page#nextCursor()} from the previous page of the same scroll, or {@code null} to start over
   * @return a copy that continues after that cursor
   */
  public ListRequest cursor(String cursor) {
    if (cursor != null && cursor.isEmpty()) {
      throw new InvalidArgumentException("cursor must not be empty; pass null for the first page");
    }
    return new ListRequest(pageSize, filter, cursor);
  }

  /** @return records per page */
  public int pageSize() {
    return pageSize;
  }

  /** @return the filter, if any */
  public Optional<Filter> filter() {
    return Optional.ofNullable(filter);
  }

  /** @return the cursor, if this is not the first page */
  public Optional<String> cursor() {
    return Optional.ofNullable(cursor);
  }

  @Override
  public String toString() {
    return "ListRequest[pageSize=" + pageSize + ", filter=" + filter + ", cursor=" + cursor + "]";
  }
}
