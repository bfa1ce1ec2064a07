package dev.quiver.example.search;

import java.util.List;

/** Turns texts into vectors of one fixed dimension, unit length (cosine = dot product). */
public interface Embedder {

  /** @return the model's name, recorded with the collection's documents */
  String model();

  /** @return the vector length */
  int dimension();

  /**
   * @param texts texts to embed, in order
   * @return one unit vector per text, in the same order
   */
  List<float[]> embed(List<String> texts);
}
