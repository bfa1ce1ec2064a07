package dev.quiver.example.search;

import dev.quiver.Quiver;
import dev.quiver.VectorStore;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The service put together: a Quiver store chosen by address, the knowledge base on one collection,
 * its ingestion checkpoint, and the HTTP server. Everything but the address is the same on every
 * backend.
 */
public final class SearchApp implements AutoCloseable {

  private final VectorStore store;
  private final KnowledgeBase kb;
  private final Checkpoint checkpoint;
  private final SortedSet<String> storedTenants;
  private SearchServer server;

  /**
   * Opens the store and the collection (creating it when missing) and the checkpoint.
   *
   * @param storeUri a Quiver address: {@code local:<dir>}, {@code milvus://…}, {@code qdrant://…}, {@code pinecone://…}
   * @param collection the collection's name
   * @param stateDir where the checkpoint is kept
   * @param embedder the embedding model
   * @param log where notices go
   */
  public SearchApp(String storeUri, String collection, Path stateDir, Embedder embedder, PrintStream log) {
    VectorStore opened = Quiver.open(storeUri);
    try {
      kb = KnowledgeBase.open(opened, collection, embedder);
      kb.notices().forEach(n -> log.println("notice: " + n));
      String owner = collection + "@" + fingerprint(storeUri);
      checkpoint = Checkpoint.open(stateDir.resolve(collection + "-" + fingerprint(storeUri) + ".checkpoint.jsonl"),
          owner, kb.created());
      // tenants ingested by another process or tool (no checkpoint here) are searched too
      storedTenants = new TreeSet<>(kb.storedTenants());
    } catch (RuntimeException e) {
      opened.close();
      throw e;
    }
    store = opened;
  }

  /** A short digest of the address: names the checkpoint without writing a credential into a file name. */
  static String fingerprint(String storeUri) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(storeUri.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** @return the knowledge base */
  public KnowledgeBase knowledgeBase() {
    return kb;
  }

  /**
   * @return the tenants searched when a request names none: those the store held at start-up and those
   *     ingested since
   */
  public SortedSet<String> tenants() {
    SortedSet<String> all = new TreeSet<>(storedTenants);
    all.addAll(checkpoint.tenants());
    return Collections.unmodifiableSortedSet(all);
  }

  /** @return the ingestion checkpoint (also the source of the tags offered as filters) */
  public Checkpoint checkpoint() {
    return checkpoint;
  }

  /**
   * Ingests a corpus, skipping what earlier runs wrote.
   *
   * @param docs the documents
   * @param listener progress
   * @return what this run did
   */
  public Ingester.Result ingest(List<Document> docs, Ingester.Listener listener) {
    return Ingester.ingest(kb, docs, checkpoint, listener);
  }

  /**
   * Starts serving HTTP.
   *
   * @param host the address to listen on
   * @param port the port; 0 for any free one
   * @return the server
   */
  public SearchServer serve(String host, int port) {
    server = new SearchServer(kb, this::tenants, checkpoint::tags).start(host, port);
    return server;
  }

  @Override
  public void close() {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      store.close();
    }
  }
}
