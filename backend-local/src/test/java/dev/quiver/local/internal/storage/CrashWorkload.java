package dev.quiver.local.internal.storage;

import java.nio.file.Path;
import java.util.List;

/**
 * The pluggable part of the crash harness: what a child JVM does to a store directory until it is
 * killed, and how the parent checks the directory afterwards. Implementations need a public no-arg
 * constructor (the child instantiates them by class name) and must not touch JUnit in
 * {@link #runChild}, which runs outside the test framework.
 *
 * <p>{@link WalCrashWorkload} drives the {@link StoreStorage} directly; {@link StoreCrashWorkload}
 * drives a durable {@code LocalVectorStore}, the whole engine.
 */
public interface CrashWorkload {

  /**
   * Runs in the child JVM. Call {@code ready.run()} once the store is open, and
   * {@code acknowledge.accept(token)} after each write has returned (so it is durable). Tokens must not
   * contain line breaks. Usually runs until killed.
   *
   * @param dir the store directory
   * @param seed distinguishes this child's writes from earlier cycles'
   * @param ready signals that opening (recovery) finished
   * @param acknowledge reports an acknowledged write
   * @throws Exception on failure; the child then exits with a non-zero status and the test fails
   */
  void runChild(Path dir, long seed, Runnable ready, java.util.function.Consumer<String> acknowledge) throws Exception;

  /**
   * Runs in the parent after a kill: reopens the directory and checks it.
   *
   * @param dir the store directory
   * @param acknowledged every token acknowledged by every child so far, in order
   * @return a one-line summary for the test log
   * @throws Exception (usually an assertion error) when an acknowledged write is missing or a write is half-applied
   */
  String verify(Path dir, List<String> acknowledged) throws Exception;
}
