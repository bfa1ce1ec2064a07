package dev.quiver.pinecone;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.quiver.Record;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * The layout of Spring AI's {@code PineconeVectorStore} (spring-ai-pinecone-store): the index is made by
 * the user beforehand (Spring AI does not create it; cosine, as its distance {@code 1 - score} assumes),
 * records in Pinecone's default namespace (its builder's default {@code ""}), document ids (random UUIDs),
 * the document text in metadata key {@code document_content} (its {@code CONTENT_FIELD_NAME}) beside the
 * document's metadata map written as JSON (strings, numbers, booleans and lists of strings).
 */
class SpringAiPineconeForeignTest extends PineconeForeignKit {

  @Override
  protected String layoutName() {
    return "Spring AI PineconeVectorStore (UUID ids, document_content, default namespace)";
  }

  @Override
  protected String namespace() {
    return "";
  }

  @Override
  protected boolean deletionProtection() {
    return false;
  }

  @Override
  protected String idFor(int i) {
    return UUID.nameUUIDFromBytes(("spring-ai-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Override
  protected Optional<String> idTheKeyCannotHold() {
    return Optional.of("doc \u2014 1");
  }

  @Override
  protected ObjectNode metadata(int i, Record record) {
    ObjectNode md = values(record);
    md.put("document_content", "content of document " + i);
    return md;
  }
}
