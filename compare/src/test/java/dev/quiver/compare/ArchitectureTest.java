package dev.quiver.compare;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The comparison reaches backends only through Quiver.open and the public API, never an adapter's classes. */
class ArchitectureTest {

  @Test
  void compareUsesNoAdapterCode() {
    JavaClasses classes = new ClassFileImporter().importPath(Path.of("target", "classes"));
    noClasses().that().resideInAPackage("dev.quiver.compare..").should().dependOnClassesThat()
        .resideInAnyPackage("dev.quiver.local..", "dev.quiver.milvus..", "dev.quiver.qdrant..", "dev.quiver.pinecone..",
            "dev.quiver.spi..")
        .check(classes);
  }
}
