package dev.quiver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The public surface of quiver-api, recorded in the checked-in file {@code api/quiver-api.api} (as
 * OkHttp records its API): every public or protected type and member of {@code dev.quiver} and
 * {@code dev.quiver.spi}, and nothing public anywhere else. A change to the surface fails this test
 * until the file is regenerated with {@code mvn -pl api test -Dtest=PublicApiTest -Dquiver.api.update=true}
 * and the diff reviewed.
 */
class PublicApiTest {

  private static final Path FILE = Path.of("quiver-api.api");
  private static final List<String> PACKAGES = List.of("dev.quiver", "dev.quiver.spi");

  @Test
  @DisplayName("the public surface is exactly dev.quiver and dev.quiver.spi as recorded in quiver-api.api")
  void surfaceIsRecorded() throws Exception {
    Path classes = Path.of("target/classes");
    TreeSet<String> lines = new TreeSet<>();
    List<String> strays = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
        String name = classes.relativize(p).toString().replace('/', '.').replaceAll("\\.class$", "");
        if (name.endsWith("module-info") || name.endsWith("package-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, getClass().getClassLoader());
        if (!isVisible(c)) {
          continue;
        }
        if (!PACKAGES.contains(c.getPackageName())) {
          strays.add(c.getName());
          continue;
        }
        describe(c, lines);
      }
    }
    assertTrue(strays.isEmpty(), "public types outside " + PACKAGES + ": " + strays);
    String actual = String.join("\n", lines) + "\n";
    if (Boolean.getBoolean("quiver.api.update")) {
      Files.writeString(FILE, actual, StandardCharsets.UTF_8);
    }
    String recorded = Files.exists(FILE) ? Files.readString(FILE, StandardCharsets.UTF_8) : "";
    assertEquals(recorded, actual, "the public API changed; regenerate api/quiver-api.api with"
        + " -Dquiver.api.update=true and review the diff");
  }

  private static boolean isVisible(Class<?> c) {
    for (Class<?> k = c; k != null; k = k.getDeclaringClass()) {
      if (k.isAnonymousClass() || k.isLocalClass() || k.isSynthetic()
          || !Modifier.isPublic(k.getModifiers()) && !Modifier.isProtected(k.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static void describe(Class<?> c, TreeSet<String> out) throws IOException {
    String type = c.getName();
    out.add(type + " : " + Modifier.toString(c.getModifiers() & ~Modifier.STATIC) + " "
        + (c.isInterface() ? "interface" : c.isEnum() ? "enum" : c.isRecord() ? "record" : "class")
        + (c.getGenericSuperclass() != null && c.getSuperclass() != Object.class && !c.isEnum() && !c.isRecord()
            ? " extends " + c.getGenericSuperclass().getTypeName() : "")
        + (c.getGenericInterfaces().length == 0 ? "" : " implements "
            + String.join(", ", Stream.of(c.getGenericInterfaces()).map(t -> t.getTypeName()).toList())));
    for (Constructor<?> k : c.getDeclaredConstructors()) {
      if (visible(k)) {
        out.add(type + " # " + k.toGenericString());
      }
    }
    for (Method m : c.getDeclaredMethods()) {
      if (visible(m) && !m.isSynthetic() && !m.isBridge()) {
        out.add(type + " # " + m.toGenericString());
      }
    }
    for (Field f : c.getDeclaredFields()) {
      if (visible(f) && !f.isSynthetic()) {
        out.add(type + " # " + f.toGenericString());
      }
    }
  }

  private static boolean visible(Member m) {
    return Modifier.isPublic(m.getModifiers()) || Modifier.isProtected(m.getModifiers());
  }
}
