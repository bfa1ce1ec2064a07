package dev.quiver.milvus.internal;

import com.google.gson.JsonObject;
import dev.quiver.Filter;
import dev.quiver.Record;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How one Milvus collection holds Quiver records: which fields hold the id, the vector and the
 * metadata, how a record becomes a row and back, and how ids and filters become expressions.
 * {@link QuiverLayout} is the layout of collections Quiver created (JSON metadata with type tags,
 * declared typed fields, tenants); {@link ForeignLayout} maps a collection made by someone else.
 * {@link MilvusCollection} speaks to Milvus only through this.
 */
public abstract class Layout {

  /** @return the primary key field */
  public abstract String idField();

  /** @return the FLOAT_VECTOR field searched and written */
  public abstract String vectorField();

  /** @return the fields a get, list or search asks for */
  public abstract List<String> outputFields();

  /**
   * @param r a valid record (checked by the boundary)
   * @param tenant the handle's tenant, if any
   * @return the row to upsert
   * @throws dev.quiver.InvalidArgumentException if the layout cannot hold the record exactly
   */
  public abstract JsonObject row(Record r, Optional<String> tenant);

  /**
   * @param entity a row as the SDK returns it
   * @param tenant the handle's tenant, if any
   * @return the record
   */
  public abstract Record record(Map<String, Object> entity, Optional<String> tenant);

  /**
   * @param filter a filter
   * @return the expression (without the tenant's condition)
   */
  public abstract String filter(Filter filter);

  /**
   * @param tenant the handle's tenant, if any
   * @return the condition every expression of the handle is ANDed with, if any
   */
  public Optional<String> scope(Optional<String> tenant) {
    return Optional.empty();
  }

  /**
   * @param ids Quiver ids
   * @param tenant the handle's tenant, if any
   * @return {@code pk in [...]}, or empty when none of the ids can exist in this collection (an id the
   *     key cannot hold)
   */
  public abstract Optional<String> idIn(List<String> ids, Optional<String> tenant);

  /**
   * @param id the last id of a page, as {@link #record} exposed it
   * @param tenant the handle's tenant, if any
   * @return {@code pk > ...}
   */
  public abstract String idAfter(String id, Optional<String> tenant);

  /** @return the order of the primary key, on the ids as exposed */
  public abstract Comparator<String> idOrder();

  /**
   * @param pk the primary key value the server returned
   * @param tenant the handle's tenant, if any
   * @return the Quiver id
   */
  public abstract String exposedId(Object pk, Optional<String> tenant);

  /**
   * Refuses writes the layout cannot make without losing data (fields Quiver cannot fill, generated
   * keys); nothing by default.
   *
   * @throws dev.quiver.InvalidArgumentException naming what prevents the write
   */
  public void checkWritable() {}

  /**
   * @return whether an upsert keeps keys of the old row that the new row lacks (Milvus Lite merges an
   *     upsert onto the old row, which keeps old dynamic-field keys), so {@link #clearStale} must be called
   */
  public boolean upsertKeepsOldKeys() {
    return false;
  }

  /**
   * Sets the keys of {@code old} that the new row lacks to null, so the upsert replaces the record.
   *
   * @param row the new row
   * @param old the record it replaces
   */
  public void clearStale(JsonObject row, Record old) {}

  /**
   * ANDs the tenant's condition (if any) with {@code expr}.
   *
   * @param expr an expression, or empty for "every row"
   * @param tenant the handle's tenant
   * @return the expression, empty only when both are
   */
  public final String scoped(String expr, Optional<String> tenant) {
    Optional<String> scope = scope(tenant);
    if (scope.isEmpty()) {
      return expr;
    }
    return expr.isEmpty() ? scope.get() : "(" + scope.get() + ") and (" + expr + ")";
  }
}
