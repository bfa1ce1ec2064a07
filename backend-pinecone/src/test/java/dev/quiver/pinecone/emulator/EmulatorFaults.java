package dev.quiver.pinecone.emulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;

/**
 * Faults the emulator injects: queued one-shot faults (an error status, a raw answer, a delay, a
 * dropped connection) and a random storm of them. A fault answers either instead of the request
 * (nothing is applied) or, "after apply", once the request was applied (the answer is lost, as
 * when a gateway fails after the write).
 */
final class EmulatorFaults {

  /**
   * One fault.
   *
   * @param pathContains the requests it may hit ("" for any)
   * @param status an HTTP status to answer with, or 0
   * @param retryAfter a Retry-After header, or null
   * @param body a raw body to answer with instead of Pinecone's error body, or null
   * @param delayMs a delay before the real answer's headers, or 0
   * @param drop close the connection without answering
   * @param afterApply apply the request first, then answer with the fault
   */
  record Fault(String pathContains, int status, String retryAfter, String body, long delayMs, boolean drop,
      boolean afterApply) {
    boolean answers() {
      return drop || status > 0;
    }

    MockResponse response() {
      if (drop) {
        return new MockResponse.Builder().onResponseStart(new SocketEffect.CloseSocket()).build();
      }
      MockResponse.Builder b = new MockResponse.Builder().code(status).addHeader("Content-Type", "application/json")
          .body(body != null ? body : EmulatorWire.dataError(status == 429 ? 8 : 14, status == 429
              ? "Request failed. You've reached the max request rate for this index." : "Internal error"));
      if (retryAfter != null) {
        b.addHeader("Retry-After", retryAfter);
      }
      return b.build();
    }

    MockResponse delayed(MockResponse real) {
      return delayMs <= 0 ? real : real.newBuilder().headersDelay(delayMs, TimeUnit.MILLISECONDS).build();
    }
  }

  private final Deque<Fault> queue = new ArrayDeque<>();
  private PineconeEmulator.Storm storm;
  private Random random;

  synchronized void add(Fault f) {
    queue.add(f);
  }

  synchronized void storm(PineconeEmulator.Storm s) {
    storm = s;
    random = s == null ? null : new Random(s.seed());
  }

  /** @return the fault for a request on {@code path}: the first queued one that matches, else a storm's draw */
  synchronized Fault take(String path) {
    for (Iterator<Fault> it = queue.iterator(); it.hasNext(); ) {
      Fault f = it.next();
      if (path.contains(f.pathContains())) {
        it.remove();
        return f;
      }
    }
    if (storm == null || !path.contains(storm.pathContains()) || random.nextDouble() >= storm.probability()) {
      return null;
    }
    List<Integer> statuses = storm.statuses();
    int status = statuses.get(random.nextInt(statuses.size()));
    boolean after = random.nextDouble() < storm.afterApplyShare();
    return new Fault(path, status, status == 429 ? storm.retryAfter() : null, null, 0, status == 0, after);
  }
}
