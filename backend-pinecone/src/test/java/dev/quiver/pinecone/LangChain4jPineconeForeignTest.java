package dev.quiver.pinecone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Record;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The layout of LangChain4j's {@code PineconeEmbeddingStore} (langchain4j-pinecone): a serverless cosine
 * index created with deletion protection enabled (its {@code PineconeServerlessIndexConfig} default),
 * records in namespace {@code "default"} (its {@code DEFAULT_NAMESPACE}), random UUID ids, the text in
 * metadata key {@code text_segment} (its {@code DEFAULT_METADATA_TEXT_KEY}) beside the segment's
 * metadata. Its metadata holds strings and numbers only (numbers sent as doubles); booleans and lists are
 * not written, so the layout holds {@code category}, {@code year} and {@code rating}.
 */
class LangChain4jPineconeForeignTest extends PineconeForeignKit {

  @Override
  protected String layoutName() {
    return "LangChain4j PineconeEmbeddingStore (UUID ids, text_segment, namespace 'default')";
  }

  @Override
  protected String namespace() {
    return "default";
  }

  @Override
  protected boolean deletionProtection() {
    return true;
  }

  @Override
  protected String idFor(int i) {
    return UUID.nameUUIDFromBytes(("lc4j-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("\u00fcber-id");
  }

  @Override
  protected Set<String> keysTheLayoutHolds() {
    return Set.of("category", "year", "rating");
  }

  @Override
  protected ObjectNode metadata(int i, Record record) {
    ObjectNode md = values(record);
    md.put("text_segment", "segment " + i + " of a document");
    return md;
  }
}
