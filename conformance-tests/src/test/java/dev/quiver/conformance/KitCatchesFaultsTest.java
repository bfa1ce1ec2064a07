package dev.quiver.conformance;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectNestedClass;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/** Mutation test of the kit: each fault injected into the reference store must make the kit fail. */
class KitCatchesFaultsTest {

  @ParameterizedTest
  @EnumSource(value = ReferenceStore.Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
  void kitFailsOnInjectedFault(ReferenceStore.Fault fault) {
    FaultyStoreKitRun.fault = fault;
    // only the group that must catch the fault runs, to keep the module's build short
    Class<?> group = switch (fault) {
      case NE_SKIPS_MISSING, CASE_INSENSITIVE, LONGS_AS_DOUBLES -> VectorStoreConformanceKit.HandWrittenFilters.class;
      case LIST_DROPS_LAST_PAGE -> VectorStoreConformanceKit.ListGroup.class;
      case SQUARED_EUCLIDEAN -> VectorStoreConformanceKit.Scores.class;
      case PARTIAL_BATCH -> VectorStoreConformanceKit.BadInput.class;
      case IGNORES_EF -> VectorStoreConformanceKit.CapabilityGating.class;
      case SKIPS_NEAREST -> VectorStoreConformanceKit.Search.class;
      case STALE_READS -> VectorStoreConformanceKit.Records.class;
      case TENANT_LEAKS_UNDER_FILTERS, TENANT_SHARES_IDS -> VectorStoreConformanceKit.Tenants.class;
      case UNCHECKED_FIELD_TYPES, DECLARED_DOUBLES_AS_FLOATS -> VectorStoreConformanceKit.DeclaredFields.class;
      case NONE -> throw new AssertionError();
    };
    String expectedGroup = group.getSimpleName();
    List<String> failed = new CopyOnWriteArrayList<>();
    Launcher launcher = LauncherFactory.create();
    launcher.execute(LauncherDiscoveryRequestBuilder.request()
            .selectors(selectNestedClass(List.of(FaultyStoreKitRun.class), group)).build(),
        new TestExecutionListener() {
          @Override
          public void executionFinished(TestIdentifier id, TestExecutionResult result) {
            if (result.getStatus() == TestExecutionResult.Status.FAILED && id.isTest()) {
              failed.add(id.getUniqueId() + " " + id.getDisplayName());
            }
          }
        });
    assertTrue(failed.stream().anyMatch(s -> s.contains(expectedGroup)),
        fault + " should fail a case in " + expectedGroup + "; failed: " + failed);
  }
}
