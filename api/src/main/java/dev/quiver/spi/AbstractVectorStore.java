package dev.quiver.spi;

import dev.quiver.AuthenticationException;
import dev.quiver.BackendException;
import dev.quiver.CollectionNotFoundException;
import dev.quiver.DeadlineExceededException;
import dev.quiver.DimensionMismatchException;
import dev.quiver.InvalidFilterException;
import dev.quiver.RateLimitedException;
import dev.quiver.StorageException;
import dev.quiver.UnavailableException;
import dev.quiver.Capabilities;
import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.InvalidArgumentException;
import dev.quiver.Secret;
import dev.quiver.StoreClosedException;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import dev.quiver.VectorStoreException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The one checked boundary of every store, as Spring AI's {@code AbstractObservationVectorStore} is
 * for its stores: each public call of {@link VectorStore} and of the collections a store hands out
 * ({@link AbstractVectorCollection}) passes through final methods here that check the arguments,
 * refuse calls on a closed store, map stray runtime exceptions into the Quiver error tree, scrub the
 * store's secrets from every message, log at DEBUG and notify the {@link OperationObserver}s. An
 * adapter implements only the {@code do...} methods: the mapping to its vendor, with arguments that
 * are already valid.
 *
 * <p>Logging goes to the {@link System.Logger} named {@code dev.quiver} (routed to SLF4J, Log4j or
 * JUL by whatever bridge the application has).
 */
public abstract class AbstractVectorStore implements VectorStore {

  private static final System.Logger LOG = System.getLogger("dev.quiver");
  private static final List<OperationObserver> OBSERVERS = loadObservers();

  private final Redactor redactor;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A store without credentials. */
  protected AbstractVectorStore() {
    this(List.of());
  }

  /**
   * @param secrets every credential the store holds; their values never leave the store in a
   *     message, whatever path produced the message
   */
  protected AbstractVectorStore(Collection<Secret> secrets) {
    Set<String> values = new HashSet<>();
    for (Secret s : secrets) {
      if (s != null) {
        values.add(s.reveal());
      }
    }
    this.redactor = new Redactor(values);
  }

  private static List<OperationObserver> loadObservers() {
    List<OperationObserver> out = new ArrayList<>();
    try {
      ServiceLoader.load(OperationObserver.class).forEach(out::add);
    } catch (RuntimeException | java.util.ServiceConfigurationError e) {
      LOG.log(System.Logger.Level.WARNING, "could not load an OperationObserver; going on without it", e);
    }
    return List.copyOf(out);
  }

  // ------------------------------------------------------------------ the public calls

  @Override
  public final VectorCollection createCollection(CollectionSpec spec) {
    return call(null, "createCollection", () -> {
      require(spec, "collection spec");
      Capabilities caps = capabilities();
      caps.require(Feature.of(spec.metric()));
      caps.require(spec.index().feature());
      if (!spec.fields().isEmpty()) {
        caps.require(Feature.DECLARED_FIELDS);
      }
      if (spec.multiTenant()) {
        caps.require(Feature.TENANTS);
      }
      if (!spec.layout().isEmpty()) {
        throw new InvalidArgumentException("collection '" + spec.name() + "': a native layout describes a collection"
            + " Quiver did not create; create collections without one");
      }
      if (spec.dimension() > caps.maxDimension()) {
        throw new InvalidArgumentException("dimension " + spec.dimension() + " of collection '" + spec.name()
            + "' exceeds " + caps.backend() + "'s limit of " + caps.maxDimension());
      }
      return doCreateCollection(spec);
    });
  }

  @Override
  public final VectorCollection collection(String name) {
    return call(name, "collection", () -> doCollection(CollectionSpec.checkName(name)));
  }

  @Override
  public final VectorCollection collection(String name, String vector) {
    return call(name, "collection", () -> {
      CollectionSpec.checkName(name);
      if (vector == null || vector.isEmpty() || vector.length() > 255) {
        throw new InvalidArgumentException("vector name must be 1 to 255 characters, got "
            + (vector == null ? "null" : vector.isEmpty() ? "''" : vector.length() + " characters"));
      }
      return doCollection(name, vector);
    });
  }

  @Override
  public final boolean hasCollection(String name) {
    return call(name, "hasCollection", () -> doHasCollection(CollectionSpec.checkName(name)));
  }

  @Override
  public final List<String> listCollections() {
    return call(null, "listCollections", () -> List.copyOf(doListCollections()));
  }

  @Override
  public final CollectionSpec describeCollection(String name) {
    return call(name, "describeCollection", () -> doDescribeCollection(CollectionSpec.checkName(name)));
  }

  @Override
  public final boolean dropCollection(String name) {
    return call(name, "dropCollection", () -> doDropCollection(CollectionSpec.checkName(name)));
  }

  /** Closes the store once; later calls on it or its collections throw {@link StoreClosedException}. */
  @Override
  public final void close() {
    if (closed.compareAndSet(false, true)) {
      run(null, "close", this::doClose, false);
    }
  }

  // ------------------------------------------------------------------ what adapters implement

  /**
   * @param spec a valid spec whose metric, index kind and dimension this backend supports
   * @return the new collection
   */
  protected abstract AbstractVectorCollection doCreateCollection(CollectionSpec spec);

  /**
   * @param name a valid collection name
   * @return the existing collection
   * @throws dev.quiver.CollectionNotFoundException when there is none
   */
  protected abstract AbstractVectorCollection doCollection(String name);

  /** @param name a valid collection name @return whether it exists */
  protected abstract boolean doHasCollection(String name);

  /**
   * Opens a collection using one of its named vectors. The default refuses: backends whose collections
   * hold named vectors override it.
   *
   * @param name a valid collection name
   * @param vector a vector name, 1 to 255 characters
   * @return a handle on the existing collection, searching and writing that vector
   * @throws InvalidArgumentException unless overridden
   */
  protected AbstractVectorCollection doCollection(String name, String vector) {
    throw new InvalidArgumentException(backendName() + " collections have one unnamed vector; open '" + name
        + "' with collection(name)");
  }

  /** @return the names of the collections, sorted */
  protected abstract List<String> doListCollections();

  /** @param name a valid collection name @return its spec */
  protected abstract CollectionSpec doDescribeCollection(String name);

  /** @param name a valid collection name @return whether it existed */
  protected abstract boolean doDropCollection(String name);

  /** Releases the store's resources; called once. */
  protected abstract void doClose();

  /**
   * @return a short label for messages, for example {@code "milvus://127.0.0.1:19530"}; never a
   *     credential (it is scrubbed anyway)
   */
  protected abstract String label();

  // ------------------------------------------------------------------ the boundary itself

  /** @return whether {@link #close()} was called */
  protected final boolean isClosed() {
    return closed.get();
  }

  <T> T call(String collection, String operation, Supplier<T> body) {
    return call(collection, operation, body, true);
  }

  void run(String collection, String operation, Runnable body, boolean mustBeOpen) {
    call(collection, operation, () -> {
      body.run();
      return null;
    }, mustBeOpen);
  }

  private <T> T call(String collection, String operation, Supplier<T> body, boolean mustBeOpen) {
    long start = System.nanoTime();
    RuntimeException error = null;
    try {
      if (mustBeOpen && closed.get()) {
        throw new StoreClosedException(label());
      }
      return body.get();
    } catch (RuntimeException e) {
      error = outgoing(operation, collection, e);
      throw error;
    } finally {
      completed(collection, operation, System.nanoTime() - start, error);
    }
  }

  /** Maps what leaves the store: Quiver exceptions pass (scrubbed), anything else becomes a BackendException. */
  private RuntimeException outgoing(String operation, String collection, RuntimeException e) {
    if (e instanceof VectorStoreException vse) {
      if (redactor.leaks(vse)) {
        return rebuilt(vse);
      }
      return vse;
    }
    String where = collection == null ? "" : " on collection '" + collection + "'";
    Throwable cause = redactor.leaks(e) ? redactor.scrubbed(e) : e;
    return new BackendException(redactor.scrub(backendName() + " " + operation + where + " failed unexpectedly: "
        + e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage())), cause);
  }

  /**
   * A Quiver exception carrying a secret, rebuilt with the same type and data and scrubbed text.
   * Types whose text comes only from checked names and capability notes cannot carry a secret; if
   * one ever does, it becomes a BackendException rather than leak.
   */
  private RuntimeException rebuilt(VectorStoreException e) {
    String m = redactor.scrub(e.getMessage());
    Throwable cause = redactor.scrubbed(e.getCause());
    RuntimeException copy;
    if (e instanceof RateLimitedException r) {
      copy = new RateLimitedException(m, r.retryAfter().orElse(null), cause);
    } else if (e instanceof UnavailableException) {
      copy = new UnavailableException(m, cause);
    } else if (e instanceof DeadlineExceededException) {
      copy = new DeadlineExceededException(m, cause);
    } else if (e instanceof AuthenticationException) {
      copy = new AuthenticationException(m, cause);
    } else if (e instanceof StorageException) {
      copy = new StorageException(m, cause);
    } else if (e instanceof InvalidFilterException) {
      copy = new InvalidFilterException(m, -1); // the position suffix is already in m
    } else if (e instanceof InvalidArgumentException) {
      copy = new InvalidArgumentException(m, cause);
    } else if (e instanceof DimensionMismatchException d) {
      copy = new DimensionMismatchException(redactor.scrub(d.what()), d.expected(), d.actual(), cause);
    } else if (e instanceof CollectionNotFoundException c) {
      copy = new CollectionNotFoundException(redactor.scrub(c.collection()), cause);
    } else if (e.isTransient()) {
      copy = new UnavailableException(m, cause);
    } else {
      copy = new BackendException(m, cause);
    }
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }

  private String backendName() {
    try {
      return capabilities().backend();
    } catch (RuntimeException e) {
      return getClass().getSimpleName();
    }
  }

  private void completed(String collection, String operation, long nanos, RuntimeException error) {
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, redactor.scrub(backendName() + " " + operation
          + (collection == null ? "" : " '" + collection + "'") + " took " + nanos / 1_000 + " us"
          + (error == null ? "" : ", failed: " + error.getClass().getSimpleName() + ": " + error.getMessage())));
    }
    for (OperationObserver o : OBSERVERS) {
      try {
        o.completed(backendName(), collection, operation, nanos, error);
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "OperationObserver " + o.getClass().getName() + " failed", e);
      }
    }
  }

  static <T> T require(T value, String what) {
    if (value == null) {
      throw new InvalidArgumentException(what + " must not be null");
    }
    return value;
  }
}
