package dev.quiver.migrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.quiver.CollectionSpec;
import dev.quiver.FieldType;
import dev.quiver.InvalidArgumentException;
import dev.quiver.ListRequest;
import dev.quiver.Metadata;
import dev.quiver.MetadataField;
import dev.quiver.Metric;
import dev.quiver.Quiver;
import dev.quiver.Record;
import dev.quiver.VectorCollection;
import dev.quiver.VectorStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-tenant collections: every tenant copied into the same tenant, typed fields carried over. */
class TenantMigrationTest {

  static final List<MetadataField> FIELDS = List.of(MetadataField.indexed("kind", FieldType.STRING),
      MetadataField.of("n", FieldType.LONG));

  private static VectorCollection multiTenantSource(VectorStore store, Map<String, Integer> sizes) {
    VectorCollection c = store.createCollection(CollectionSpec.builder("docs").dimension(4).metric(Metric.COSINE)
        .fields(FIELDS).multiTenant(true).build());
    for (Map.Entry<String, Integer> e : sizes.entrySet()) {
      List<Record> rs = new ArrayList<>();
      for (int i = 0; i < e.getValue(); i++) {
        // the same ids in every tenant: they are different records
        rs.add(Record.of("r" + i, new float[] {1, i, e.getKey().length(), 1},
            Metadata.of("kind", e.getKey() + "-" + i % 3, "n", (long) i, "free", "x")));
      }
      c.tenant(e.getKey()).upsert(rs);
    }
    return c;
  }

  @Test
  @DisplayName("runEachTenant copies every tenant into the same tenant of a new multi-tenant target with the declared fields, and a resume skips tenants already done")
  void copiesEveryTenant(@TempDir Path dir) throws Exception {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = multiTenantSource(a, Map.of("acme", 40, "globex", 25, "initech", 1));
      Path cp = dir.resolve("docs.checkpoint.json");
      List<MigrationReport> reports = Migration.from(src).to(b, "copy").checkpoint(cp).runEachTenant();
      assertEquals(3, reports.size());
      reports.forEach(r -> assertTrue(r.ok(), r.describe()));
      VectorCollection dst = b.collection("copy");
      assertTrue(dst.spec().multiTenant());
      assertEquals(FIELDS, dst.spec().fields());
      assertEquals(List.of("acme", "globex", "initech"), dst.tenants());
      for (String t : src.tenants()) {
        List<Record> want = src.tenant(t).list(ListRequest.of(100)).records();
        assertEquals(want, dst.tenant(t).list(ListRequest.of(100)).records(), "tenant " + t);
        assertTrue(Files.exists(dir.resolve("docs.checkpoint.json." + t)), "a checkpoint per tenant");
      }
      List<MigrationReport> again = Migration.from(src).to(b, "copy").checkpoint(cp).resume(true).runEachTenant();
      assertEquals(List.of(), again, "every tenant was done: nothing copied again");
    }
  }

  @Test
  @DisplayName("one tenant alone, and the refusals: a multi-tenant source without a tenant, a tenant into a plain target")
  void oneTenantAndRefusals() {
    try (VectorStore a = Quiver.open("memory:"); VectorStore b = Quiver.open("memory:")) {
      VectorCollection src = multiTenantSource(a, Map.of("acme", 10, "globex", 5));
      MigrationReport r = Migration.from(src).to(b, "one").tenant("globex").run();
      assertTrue(r.ok(), r.describe());
      assertEquals(List.of("globex"), b.collection("one").tenants());
      assertEquals(5, b.collection("one").tenant("globex").count());
      InvalidArgumentException e = assertThrows(InvalidArgumentException.class,
          () -> Migration.from(src).to(b, "all").run());
      assertTrue(e.getMessage().contains("multi-tenant"), e.getMessage());
      b.createCollection(CollectionSpec.builder("plain").dimension(4).build());
      assertThrows(InvalidArgumentException.class, () -> Migration.from(src).to(b, "plain").tenant("acme").run());
      assertEquals(0, b.collection("plain").count());
      VectorCollection plainSource = a.createCollection(CollectionSpec.builder("p").dimension(4).build());
      assertThrows(InvalidArgumentException.class, () -> Migration.from(plainSource).to(b, "x").tenant("acme").build());
    }
  }
}
