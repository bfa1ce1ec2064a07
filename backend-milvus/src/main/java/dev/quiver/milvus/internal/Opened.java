package dev.quiver.milvus.internal;

import dev.quiver.CollectionSpec;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A collection as the store opens it: the spec {@code describeCollection} reports, its Milvus name and
 * its layout.
 *
 * @param spec the spec
 * @param milvusName the collection's name on Milvus
 * @param layout how it holds records
 */
public record Opened(CollectionSpec spec, String milvusName, Layout layout) {

  /**
   * A collection Quiver did not create, mapped by {@link ForeignSchema}.
   *
   * @param name the Quiver name
   * @param milvusName the Milvus name
   * @param resp its description
   * @param indexes the index descriptions of its fields, by field
   * @param vector the vector field named by {@code collection(name, vector)}, if any
   * @param traits the server's traits
   * @return the opened collection
   */
  public static Opened foreign(String name, String milvusName, DescribeCollectionResp resp,
      Map<String, DescribeIndexResp.IndexDesc> indexes, Optional<String> vector, ServerTraits traits) {
    ForeignLayout layout = new ForeignLayout(new ForeignSchema(name, resp, indexes, vector), traits.lite());
    return new Opened(layout.spec(), milvusName, layout);
  }

  /** @return the FLOAT_VECTOR fields (one for collections Quiver created) */
  public List<String> vectorFields() {
    return layout instanceof ForeignLayout f ? f.vectorFields() : List.of(Schema.VECTOR);
  }
}
