package dev.quiver.example.search;

import java.util.ArrayList;
import java.util.List;

/**
 * Ingests documents into a knowledge base in batches — chunk, embed, upsert, then record the batch in
 * the checkpoint — skipping documents an earlier run recorded. Stopping at any point (an exception,
 * an interrupt, a killed process) loses at most the batch in flight, which the next run writes again
 * under the same ids.
 */
public final class Ingester {

  /** Documents per batch: about 40 chunks, one embedding call and one upsert per tenant. */
  public static final int BATCH = 32;

  /** Told how far ingestion has got. */
  public interface Listener {
    /** Before the first batch. */
    void started(int toDo, int alreadyDone);

    /** After each batch is stored and checkpointed. */
    void progress(int done, int total, int chunks);

    /** @return a listener that says nothing */
    static Listener none() {
      return new Listener() {
        @Override
        public void started(int toDo, int alreadyDone) {}

        @Override
        public void progress(int done, int total, int chunks) {}
      };
    }
  }

  /**
   * What a run did.
   *
   * @param written documents written by this run
   * @param skipped documents skipped because an earlier run had written them
   * @param chunks chunks written by this run
   * @param millis how long it took
   */
  public record Result(int written, int skipped, int chunks, long millis) {}

  private Ingester() {}

  /**
   * @param kb the knowledge base
   * @param docs the corpus
   * @param checkpoint what earlier runs wrote; extended after each batch
   * @param listener progress
   * @return what this run did
   * @throws IllegalStateException if the thread is interrupted (after the batch in flight is checkpointed)
   */
  public static Result ingest(KnowledgeBase kb, List<Document> docs, Checkpoint checkpoint, Listener listener) {
    long t0 = System.nanoTime();
    List<Document> todo = new ArrayList<>();
    for (Document d : docs) {
      if (!checkpoint.done(d)) {
        todo.add(d);
      }
    }
    int skipped = docs.size() - todo.size();
    listener.started(todo.size(), skipped);
    int chunks = 0;
    for (int from = 0; from < todo.size(); from += BATCH) {
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("ingestion interrupted after " + from + " of " + todo.size()
            + " documents; run it again to go on");
      }
      List<Document> batch = todo.subList(from, Math.min(todo.size(), from + BATCH));
      chunks += kb.upsert(batch);
      checkpoint.append(batch);
      listener.progress(from + batch.size(), todo.size(), chunks);
    }
    return new Result(todo.size(), skipped, chunks, (System.nanoTime() - t0) / 1_000_000);
  }
}
