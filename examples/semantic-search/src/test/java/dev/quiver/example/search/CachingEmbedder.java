package dev.quiver.example.search;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The real model, with its answers kept in target/embedding-cache: surefire runs every test class in a
 * JVM of its own, and without this each class would embed the sample again (the model is
 * deterministic, so a cached vector is the vector the model gives). The first class of a build embeds;
 * the others read. The model itself is loaded only when a text is missing.
 */
final class CachingEmbedder implements Embedder {

  private static final Path FILE = Path.of("target", "embedding-cache", "all-minilm-l6-v2.bin");
  private final Map<String, float[]> cache = new HashMap<>();
  private MiniLmEmbedder model;
  private int computed;

  CachingEmbedder() {
    if (Files.exists(FILE)) {
      try (DataInputStream in = new DataInputStream(Files.newInputStream(FILE))) {
        byte[] key = new byte[32];
        while (true) {
          try {
            in.readFully(key);
            float[] v = new float[MiniLmEmbedder.DIMENSION];
            for (int i = 0; i < v.length; i++) {
              v[i] = in.readFloat();
            }
            cache.put(HexFormat.of().formatHex(key), v);
          } catch (EOFException e) {
            break;                                   // the end, or a torn last entry: it is embedded again
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  @Override
  public String model() {
    return MiniLmEmbedder.MODEL;
  }

  @Override
  public int dimension() {
    return MiniLmEmbedder.DIMENSION;
  }

  /** @return how many texts this instance had the model embed */
  int computed() {
    return computed;
  }

  @Override
  public synchronized List<float[]> embed(List<String> texts) {
    List<String> missing = new ArrayList<>();
    for (String t : texts) {
      if (!cache.containsKey(key(t)) && !missing.contains(t)) {
        missing.add(t);
      }
    }
    if (!missing.isEmpty()) {
      if (model == null) {
        model = new MiniLmEmbedder();
      }
      List<float[]> vectors = model.embed(missing);
      computed += missing.size();
      try {
        Files.createDirectories(FILE.getParent());
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(FILE, StandardOpenOption.CREATE,
            StandardOpenOption.APPEND))) {
          for (int i = 0; i < missing.size(); i++) {
            String k = key(missing.get(i));
            out.write(HexFormat.of().parseHex(k));
            for (float x : vectors.get(i)) {
              out.writeFloat(x);
            }
            cache.put(k, vectors.get(i));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<float[]> out = new ArrayList<>(texts.size());
    for (String t : texts) {
      out.add(cache.get(key(t)).clone());
    }
    return out;
  }

  private static String key(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
