package dev.quiver.pinecone;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Record;
import dev.quiver.VectorStore;
import dev.quiver.conformance.ForeignCollectionKit;
import dev.quiver.conformance.VendorCollection;
import dev.quiver.pinecone.emulator.EmulatorFilter;
import dev.quiver.pinecone.emulator.PineconeEmulator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The foreign-collection kit over the Pinecone emulator: each subclass is one layout found in the wild,
 * made and filled through Pinecone's REST API ({@link PineconeRest}) the way that tool writes it, then
 * opened by a Quiver store (with {@code namespace=...} where the layout uses a named namespace).
 */
abstract class PineconeForeignKit extends ForeignCollectionKit {

  private PineconeEmulator emulator;
  private PineconeRest rest;

  /** @return the namespace the layout writes to ("" for Pinecone's default namespace) */
  protected abstract String namespace();

  /** @return whether the tool creates its index with deletion protection on */
  protected abstract boolean deletionProtection();

  /**
   * @param i the record's index
   * @param record the kit's record (metadata keys the layout holds)
   * @return the metadata the tool writes for it: the record's values plus the tool's own keys
   */
  protected abstract ObjectNode metadata(int i, Record record);

  @Override
  protected final VectorStore openStore() {
    emulator = new PineconeEmulator(EmulatorFilter.NeMissing.MATCHES);
    rest = new PineconeRest(emulator.controlPlaneUrl(), PineconeEmulator.API_KEY);
    PineconeVectorStore.Builder b = EmulatorStores.builder(emulator);
    if (!namespace().isEmpty()) {
      b.namespace(namespace());
    }
    return b.build();
  }

  /** Pinecone index names are lower-case letters, digits and '-'. */
  @Override
  protected final String collectionName(String suffix) {
    return "foreign-" + suffix;
  }

  /** Metadata values as JSON, numbers as the float64 every Pinecone client sends. */
  static ObjectNode values(Record record) {
    ObjectNode md = PineconeRest.object();
    record.metadata().asMap().forEach((k, v) -> {
      if (v instanceof String s) {
        md.put(k, s);
      } else if (v instanceof Number n) {
        md.put(k, n.doubleValue());
      } else if (v instanceof Boolean bool) {
        md.put(k, bool);
      } else if (v instanceof List<?> l) {
        ArrayNode arr = md.putArray(k);
        l.forEach(x -> arr.add(String.valueOf(x)));
      }
    });
    return md;
  }

  @Override
  protected final VendorCollection createWithVendorClient(String name, List<Record> records) {
    String host = rest.createServerlessIndex(name, DIM, "cosine", deletionProtection());
    List<ObjectNode> vectors = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      Record r = records.get(i);
      vectors.add(PineconeRest.vector(r.id(), r.vector(), metadata(i, r)));
    }
    String ns = namespace();
    rest.upsert(host, ns, vectors);
    return new VendorCollection() {
      @Override
      public long count() {
        return rest.count(host, ns);
      }

      @Override
      public List<String> ids() {
        return rest.ids(host, ns);
      }

      @Override
      public Optional<Map<String, Object>> get(String id) {
        return rest.fetchMetadata(host, ns, id);
      }

      @Override
      public List<String> search(float[] query, int k, String category) {
        ObjectNode filter = null;
        if (category != null) {
          filter = PineconeRest.object();
          filter.putObject("category").put("$eq", category);
        }
        return rest.query(host, ns, query, k, filter);
      }

      @Override
      public void drop() {
        try {
          rest.deleteIndex(name);
        } finally {
          emulator.close();
        }
      }
    };
  }
}
