package dev.quiver.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.Serializable;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The module rules (docs/design-decisions.md), checked on the compiled classes of every module (the CLI depends on
 * all of them): the API depends on no backend or vendor SDK, backends never depend on each other,
 * and nothing is Java-serializable (Throwables and enums excepted: the JDK makes them Serializable).
 */
class ArchitectureTest {

  private static final String API = "dev.quiver";
  private static final List<String> BACKENDS = List.of("local", "milvus", "qdrant", "pinecone");
  private static final String[] VENDOR_PACKAGES = {
      "io.milvus..", "io.qdrant..", "io.grpc..", "okhttp3..", "com.fasterxml..", "io.github.resilience4j..",
      "com.google.protobuf..", "org.testcontainers.."};

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.quiver");
  }

  /** Classes of the api module: {@code dev.quiver}, {@code dev.quiver.spi} and {@code dev.quiver.internal..}. */
  private static DescribedPredicate<JavaClass> apiClasses() {
    return DescribedPredicate.describe("are in the api module", c -> c.getPackageName().equals(API)
        || c.getPackageName().equals(API + ".spi") || c.getPackageName().startsWith(API + ".internal"));
  }

  @Test
  @DisplayName("the api depends on no backend")
  void apiDependsOnNoBackend() {
    for (String backend : BACKENDS) {
      noClasses().that(apiClasses()).should().dependOnClassesThat().resideInAPackage(API + "." + backend + "..")
          .check(classes);
    }
  }

  @Test
  @DisplayName("the api depends on no vendor SDK")
  void apiDependsOnNoVendor() {
    noClasses().that(apiClasses()).should().dependOnClassesThat().resideInAnyPackage(VENDOR_PACKAGES)
        .check(classes);
  }

  @Test
  @DisplayName("every backend's stores and collections pass through the one checked boundary (spi.AbstractVectorStore / AbstractVectorCollection)")
  void everyBackendUsesTheBoundary() {
    for (String backend : BACKENDS) {
      com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
          .that().resideInAPackage(API + "." + backend + "..").and().implement(dev.quiver.VectorStore.class)
          .should().beAssignableTo(dev.quiver.spi.AbstractVectorStore.class)
          .allowEmptyShould(false)
          .check(classes);
      com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes()
          .that().resideInAPackage(API + "." + backend + "..").and().implement(dev.quiver.VectorCollection.class)
          .should().beAssignableTo(dev.quiver.spi.AbstractVectorCollection.class)
          .allowEmptyShould(false)
          .check(classes);
    }
  }

  @Test
  @DisplayName("a backend's internal packages are used by that backend only: tools and other modules use its public API")
  void internalsStayInside() {
    for (String backend : BACKENDS) {
      noClasses().that().resideOutsideOfPackage(API + "." + backend + "..")
          .should().dependOnClassesThat().resideInAPackage(API + "." + backend + ".internal..")
          .check(classes);
    }
    noClasses().that().resideOutsideOfPackage(API + ".internal..")
        .should().dependOnClassesThat().resideInAPackage(API + ".internal..")
        .allowEmptyShould(true)
        .check(classes);
  }

  @Test
  @DisplayName("the examples use Quiver's public API only: no backend, no SPI, no internals (backends are found by Quiver.open)")
  void examplesUseThePublicApi() {
    noClasses().that().resideInAPackage(API + ".example..")
        .should().dependOnClassesThat().resideInAnyPackage(API + ".local..", API + ".milvus..", API + ".qdrant..",
            API + ".pinecone..", API + ".spi..", API + ".internal..", API + ".migrate..", API + ".compare..")
        .check(classes);
    com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes().that().resideInAPackage(API + ".example..")
        .should().resideInAPackage(API + ".example..").allowEmptyShould(false)
        .because("the rule above must have classes to check")
        .check(classes);
  }

  @Test
  @DisplayName("no backend depends on another backend")
  void backendsAreIndependent() {
    for (String backend : BACKENDS) {
      for (String other : BACKENDS) {
        if (!other.equals(backend)) {
          noClasses().that().resideInAPackage(API + "." + backend + "..")
              .should().dependOnClassesThat().resideInAPackage(API + "." + other + "..")
              .check(classes);
        }
      }
    }
  }

  @Test
  @DisplayName("nothing implements java.io.Serializable except exceptions and enums")
  void noJavaSerialization() {
    noClasses().that().areNotAssignableTo(Throwable.class).and().areNotEnums()
        .and().areNotAssignableTo(Enum.class)
        .should().implement(Serializable.class)
        .check(classes);
  }
}
