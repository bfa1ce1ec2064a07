package dev.quiver.pinecone;

import dev.quiver.Secret;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import dev.quiver.spi.RemotePolicy;
import java.time.Duration;

/** Stores pointed at an emulator, with test-friendly timeouts and backoff. */
final class EmulatorStores {

  /** The shared policy with short backoff: the emulator's faults are injected, not load. */
  static final RemotePolicy POLICY =
      new RemotePolicy(3, Duration.ofMillis(10), Duration.ofSeconds(2), Duration.ofSeconds(20), 5, Duration.ofSeconds(2));

  private EmulatorStores() {}

  static PineconeVectorStore.Builder builder(PineconeEmulator emulator) {
    return PineconeVectorStore.builder()
        .apiKey(Secret.of(PineconeEmulator.API_KEY))
        .controlPlaneUrl(emulator.controlPlaneUrl())
        .tls(false)
        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5))
        .readyTimeout(Duration.ofSeconds(10))
        .freshnessTimeout(Duration.ofSeconds(5))
        // the emulator answers at once and counts its lag in reads, not time: poll again almost at once
        .pollInterval(Duration.ofMillis(1), Duration.ofMillis(20))
        .remotePolicy(POLICY);
  }

  static PineconeVectorStore store(PineconeEmulator emulator) {
    return builder(emulator).build();
  }
}
