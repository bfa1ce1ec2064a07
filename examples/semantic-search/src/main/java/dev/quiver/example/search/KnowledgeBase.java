package dev.quiver.example.search;

import dev.quiver.CollectionSpec;
import dev.quiver.Feature;
import dev.quiver.FieldType;
import dev.quiver.Filter;
import dev.quiver.IndexSpec;
import dev.quiver.Match;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Record;
import dev.quiver.SearchRequest;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The knowledge base on one Quiver collection: chunks of documents with their embeddings, searched by
 * meaning. Every record is a chunk ({@code <doc-id>#<n>}) with metadata {@code doc_id}, {@code title},
 * {@code tags}, {@code chunk} and {@code text}.
 *
 * <p>Tenants: the collection is created multi-tenant and every document is written and searched
 * through {@code collection.tenant(name)}, so one tenant's query never sees another's documents —
 * Quiver adds the tenant, not a filter of ours. On a backend without {@link Feature#TENANTS} the
 * collection is created single-tenant and any request naming a tenant is refused
 * ({@link TenantsUnsupportedException}); tenants are never imitated with a metadata filter.
 *
 * <p>Declared fields: {@code title} (string), {@code tags} (string list, indexed) and {@code doc_id}
 * (string, indexed) are declared in the spec where the backend supports {@link Feature#DECLARED_FIELDS},
 * so it stores them in typed, indexed columns; elsewhere they are ordinary metadata, with the same
 * filter semantics.
 */
public final class KnowledgeBase {

  public static final String DOC_ID = "doc_id";
  public static final String TITLE = "title";
  public static final String TAGS = "tags";
  public static final String CHUNK = "chunk";
  public static final String TEXT = "text";

  /** Chunks fetched per document asked for: most documents have one or two chunks. */
  static final int CHUNKS_PER_RESULT = 4;
  /** Longest snippet, in characters. */
  static final int SNIPPET = 240;

  private final VectorCollection collection;
  private final Embedder embedder;
  private final boolean multiTenant;
  private final boolean created;
  private final List<String> notices;

  /** A request named a tenant on a collection without tenants. */
  public static final class TenantsUnsupportedException extends RuntimeException {
    TenantsUnsupportedException(String message) {
      super(message);
    }
  }

  /**
   * One result: the best-matching chunk of a document.
   *
   * @param docId the document's id
   * @param title its title
   * @param snippet the start of the chunk that matched
   * @param score cosine similarity of query and chunk (higher is closer)
   * @param tags the document's tags
   * @param tenant the tenant it was found in; empty on a collection without tenants
   * @param chunk which chunk matched (0 = the start)
   */
  public record Hit(String docId, String title, String snippet, double score, List<String> tags,
      Optional<String> tenant, int chunk) {}

  private KnowledgeBase(VectorCollection collection, Embedder embedder, boolean multiTenant, boolean created,
      List<String> notices) {
    this.collection = collection;
    this.embedder = embedder;
    this.multiTenant = multiTenant;
    this.created = created;
    this.notices = List.copyOf(notices);
  }

  /**
   * Opens the collection, creating it when missing.
   *
   * @param store any Quiver store
   * @param name the collection
   * @param embedder the model whose vectors the collection holds
   * @return the knowledge base
   * @throws IllegalStateException if an existing collection has another dimension or metric
   */
  public static KnowledgeBase open(VectorStore store, String name, Embedder embedder) {
    List<String> notices = new ArrayList<>();
    if (store.hasCollection(name)) {
      CollectionSpec spec = store.describeCollection(name);
      if (spec.dimension() != embedder.dimension() || spec.metric() != Metric.COSINE) {
        throw new IllegalStateException("collection '" + name + "' holds " + spec.dimension() + "-d " + spec.metric()
            + " vectors; " + embedder.model() + " makes " + embedder.dimension() + "-d COSINE vectors: use another collection");
      }
      if (!spec.multiTenant()) {
        notices.add("collection '" + name + "' is single-tenant: requests naming a tenant are refused");
      }
      return new KnowledgeBase(store.collection(name), embedder, spec.multiTenant(), false, notices);
    }
    var caps = store.capabilities();
    // HNSW: what a knowledge base of any size wants; every backend here builds or emulates it (Pinecone
    // has no exact index at all), and a backend without it gets the exact one
    IndexSpec index = caps.supports(Feature.INDEX_HNSW) ? IndexSpec.hnsw(16, 200) : IndexSpec.flat();
    CollectionSpec.Builder spec = CollectionSpec.builder(name).dimension(embedder.dimension()).metric(Metric.COSINE)
        .index(index);
    boolean tenants = caps.supports(Feature.TENANTS);
    if (tenants) {
      spec.multiTenant(true);
    } else {
      notices.add(caps.backend() + " lacks tenants (" + caps.entry(Feature.TENANTS).note()
          + "): collection '" + name + "' is single-tenant and requests naming a tenant are refused");
    }
    if (caps.supports(Feature.DECLARED_FIELDS)) {
      spec.field(MetadataField.of(TITLE, FieldType.STRING))
          .field(MetadataField.indexed(TAGS, FieldType.STRING_LIST))
          .field(MetadataField.indexed(DOC_ID, FieldType.STRING));
    } else {
      notices.add(caps.backend() + " lacks declared fields: title, tags and doc_id are kept as plain metadata");
    }
    return new KnowledgeBase(store.createCollection(spec.build()), embedder, tenants, true, notices);
  }

  /** @return whether documents live in tenants */
  public boolean multiTenant() {
    return multiTenant;
  }

  /** @return whether {@link #open} created the collection (so nothing of an earlier run is in it) */
  public boolean created() {
    return created;
  }

  /** @return what this backend could not do as asked, and what was done instead */
  public List<String> notices() {
    return notices;
  }

  /** @return the collection's name */
  public String name() {
    return collection.name();
  }

  /** @return the embedder */
  public Embedder embedder() {
    return embedder;
  }

  /**
   * Chunks, embeds and upserts documents; a document written again replaces its chunks by id.
   *
   * @param docs documents (any tenants)
   * @return the number of chunks written
   */
  public int upsert(List<Document> docs) {
    List<Chunker.Chunk> chunks = new ArrayList<>();
    List<Document> owners = new ArrayList<>();
    for (Document d : docs) {
      for (Chunker.Chunk c : Chunker.chunk(d)) {
        chunks.add(c);
        owners.add(d);
      }
    }
    List<float[]> vectors = embedder.embed(chunks.stream().map(Chunker.Chunk::embeddingText).toList());
    Map<String, List<Record>> byTenant = new LinkedHashMap<>();
    for (int i = 0; i < chunks.size(); i++) {
      Chunker.Chunk c = chunks.get(i);
      Document d = owners.get(i);
      Metadata metadata = Metadata.builder().put(DOC_ID, d.id()).put(TITLE, d.title()).put(TAGS, d.tags())
          .put(CHUNK, (long) c.index()).put(TEXT, c.text()).build();
      byTenant.computeIfAbsent(d.tenant(), t -> new ArrayList<>()).add(Record.of(c.recordId(), vectors.get(i), metadata));
    }
    for (Map.Entry<String, List<Record>> e : byTenant.entrySet()) {
      (multiTenant ? collection.tenant(e.getKey()) : collection).upsert(e.getValue());
    }
    return chunks.size();
  }

  /**
   * The tenants holding documents, as the store says. Some backends read every record to answer, so
   * the service asks once at start-up, not per request.
   *
   * @return the tenant names, sorted; empty on a single-tenant collection
   */
  public List<String> storedTenants() {
    return multiTenant ? collection.tenants() : List.of();
  }

  /**
   * Counts stored chunks.
   *
   * @param tenants the tenants to count in (ignored on a single-tenant collection)
   * @return the number of chunk records
   */
  public long countChunks(Collection<String> tenants) {
    if (!multiTenant) {
      return collection.count();
    }
    long n = 0;
    for (String t : tenants) {
      n += collection.tenant(t).count();
    }
    return n;
  }

  /**
   * Searches by meaning.
   *
   * @param query natural-language text
   * @param k how many documents
   * @param tenant the tenant to search, or empty for every tenant in {@code allTenants}
   * @param tags when not empty, only documents with at least one of these tags
   * @param allTenants the tenants searched when no tenant is named
   * @return up to k documents, best first (one hit per document: its best chunk)
   * @throws TenantsUnsupportedException if a tenant is named on a single-tenant collection
   */
  public List<Hit> search(String query, int k, Optional<String> tenant, List<String> tags, Collection<String> allTenants) {
    float[] vector = embedder.embed(List.of(query)).get(0);
    SearchRequest request = SearchRequest.of(vector, Math.min(k * CHUNKS_PER_RESULT, 1000));
    if (!tags.isEmpty()) {
      request = request.filter(Filter.in(TAGS, tags));
    }
    Map<String, Hit> best = new LinkedHashMap<>();
    if (!multiTenant) {
      if (tenant.isPresent()) {
        throw new TenantsUnsupportedException("collection '" + name() + "' has no tenants; leave 'tenant' out");
      }
      collect(collection.search(request), Optional.empty(), best);
    } else {
      for (String t : tenant.map(List::of).orElseGet(() -> List.copyOf(allTenants))) {
        collect(collection.tenant(t).search(request), Optional.of(t), best);
      }
    }
    return best.values().stream()
        .sorted(Comparator.comparingDouble(Hit::score).reversed().thenComparing(Hit::docId))
        .limit(k).toList();
  }

  private static void collect(List<Match> matches, Optional<String> tenant, Map<String, Hit> best) {
    for (Match m : matches) {
      Metadata md = m.metadata();
      String docId = md.get(DOC_ID).map(Object::toString).orElse(m.id());
      String key = tenant.orElse("") + '\0' + docId;
      Hit old = best.get(key);
      if (old == null || m.score() > old.score()) {
        @SuppressWarnings("unchecked")
        List<String> tags = (List<String>) md.get(TAGS).orElse(List.of());
        best.put(key, new Hit(docId, md.get(TITLE).map(Object::toString).orElse(docId),
            snippet(md.get(TEXT).map(Object::toString).orElse("")), m.score(), tags, tenant,
            md.get(CHUNK).map(v -> ((Number) v).intValue()).orElse(0)));
      }
    }
  }

  /** The text's first {@link #SNIPPET} characters, cut at a word, with an ellipsis when cut. */
  static String snippet(String text) {
    String flat = text.replaceAll("\\s+", " ").strip();
    if (flat.length() <= SNIPPET) {
      return flat;
    }
    int cut = flat.lastIndexOf(' ', SNIPPET);
    return flat.substring(0, cut > SNIPPET / 2 ? cut : SNIPPET) + "…";
  }
}
