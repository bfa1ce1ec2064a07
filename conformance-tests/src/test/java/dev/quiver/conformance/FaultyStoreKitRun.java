package dev.quiver.conformance;

import dev.quiver.VectorStore;

/**
 * The kit against a {@link ReferenceStore} with one injected fault. Launched by
 * {@link KitCatchesFaultsTest} (the name does not match Surefire's patterns, so it is not run alone).
 */
class FaultyStoreKitRun extends VectorStoreConformanceKit {

  static volatile ReferenceStore.Fault fault = ReferenceStore.Fault.NONE;

  @Override
  protected VectorStore createStore() {
    return new ReferenceStore(fault);
  }

  @Override
  protected String reportName() {
    return "reference-fault-" + fault.name().toLowerCase(java.util.Locale.ROOT);
  }
}
