package dev.quiver.bench;

import org.apache.lucene.codecs.Codec;
import org.apache.lucene.codecs.FilterCodec;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.codecs.perfield.PerFieldKnnVectorsFormat;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.Version;

/**
 * Lucene HNSW (lucene-core; 9.12 on Java 17, 10.x in a child JVM on a newer JDK: the same code runs
 * against both). One in-heap segment, so doc ids are ordinals; ef maps to the query's k (the usual
 * way to widen Lucene's beam), of which the best k are kept. Lucene builds on one thread.
 */
final class LuceneEngine implements AnnEngine {

  private ByteBuffersDirectory dir;
  private DirectoryReader reader;
  private IndexSearcher searcher;

  @Override
  public String name() {
    return "lucene-" + Version.LATEST.major;
  }

  @Override
  public String notes() {
    return "lucene-core " + Version.LATEST + " on Java " + Runtime.version().feature()
        + (reader == null ? "" : ", " + segments() + " segment(s)");
  }

  @Override
  public void build(float[][] base, BuildParams p, Progress progress) throws Exception {
    VectorSimilarityFunction sim = switch (p.metric()) {
      case EUCLIDEAN -> VectorSimilarityFunction.EUCLIDEAN;
      case COSINE -> VectorSimilarityFunction.COSINE;
      case DOT_PRODUCT -> VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT;
    };
    KnnVectorsFormat hnsw = new Lucene99HnswVectorsFormat(p.m(), p.efConstruction());
    Codec base0 = Codec.getDefault();
    // Same name as the default codec, so segments read back through it; only the write-side HNSW parameters differ.
    Codec codec = new FilterCodec(base0.getName(), base0) {
      private final KnnVectorsFormat perField = new PerFieldKnnVectorsFormat() {
        @Override
        public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
          return hnsw;
        }
      };

      @Override
      public KnnVectorsFormat knnVectorsFormat() {
        return perField;
      }
    };
    IndexWriterConfig cfg = new IndexWriterConfig().setCodec(codec).setRAMBufferSizeMB(1800)
        .setMergePolicy(new LogDocMergePolicy());
    dir = new ByteBuffersDirectory();
    try (IndexWriter w = new IndexWriter(dir, cfg)) {
      for (int i = 0; i < base.length; i++) {
        Document d = new Document();
        d.add(new KnnFloatVectorField("v", base[i], sim));
        w.addDocument(d);
        if ((i & 1023) == 1023) {
          progress.set(i + 1);
        }
      }
      w.commit();
    }
    progress.set(base.length);
    reader = DirectoryReader.open(dir);
    searcher = new IndexSearcher(reader);
  }

  int segments() {
    return reader.leaves().size();
  }

  @Override
  public int[] search(float[] q, int k, int ef) {
    try {
      TopDocs td = searcher.search(new KnnFloatVectorQuery("v", q, Math.max(k, ef)), Math.max(k, ef));
      ScoreDoc[] sd = td.scoreDocs;
      int[] out = new int[Math.min(k, sd.length)];
      for (int i = 0; i < out.length; i++) {
        out[i] = sd[i].doc;
      }
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    if (reader != null) {
      reader.close();
    }
  }
}
