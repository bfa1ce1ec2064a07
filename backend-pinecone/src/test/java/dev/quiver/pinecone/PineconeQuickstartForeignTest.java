package dev.quiver.pinecone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Record;
import java.util.Optional;

/**
 * Pinecone's quick-start layout (bring your own vectors): a dense serverless index, string ids
 * {@code vec<i>}, flat metadata written as is, in namespace {@code example-namespace}.
 */
class PineconeQuickstartForeignTest extends PineconeForeignKit {

  @Override
  protected String layoutName() {
    return "Pinecone quick-start (ids vec<i>, flat metadata, namespace example-namespace)";
  }

  @Override
  protected String namespace() {
    return "example-namespace";
  }

  @Override
  protected boolean deletionProtection() {
    return false;
  }

  @Override
  protected String idFor(int i) {
    return "vec" + i;
  }

  /** Pinecone ids are ASCII: Quiver refuses to write this one into an index it did not create. */
  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("vec-\u00e9t\u00e9");
  }

  @Override
  protected ObjectNode metadata(int i, Record record) {
    return values(record);
  }
}
