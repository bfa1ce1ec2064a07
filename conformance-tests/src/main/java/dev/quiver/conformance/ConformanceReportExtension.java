package dev.quiver.conformance;

import dev.quiver.Capabilities;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.TestWatcher;
import org.opentest4j.TestAbortedException;

/**
 * Writes the deviation report of one concrete kit subclass: every test's outcome (passed,
 * skipped because the backend declared the feature unsupported, skipped for another reason, or
 * failed with the first line of its message), grouped by {@code @Nested} class, then the
 * backend's capabilities. The file is {@code target/conformance/<reportName>.md} under the working
 * directory (the module directory under Surefire).
 *
 * <p>Registered by {@link VectorStoreConformanceKit}; a kit user does nothing. Outcomes are kept
 * per top-level test class and written when that class's extension context closes, after all its
 * nested classes ran. Dynamic tests (the filter tables) are recorded through
 * {@link InvocationInterceptor#interceptDynamicTest} because {@link TestWatcher} does not see them.
 */
@SuppressWarnings("deprecation") // CloseableResource: kept for JUnit versions before AutoCloseable store values
public final class ConformanceReportExtension implements BeforeAllCallback, AfterEachCallback, TestWatcher,
    InvocationInterceptor {

  /** The abort messages of capability skips start with this; the report counts them apart. */
  static final String UNSUPPORTED_PREFIX = "SKIPPED (unsupported by ";

  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ConformanceReportExtension.class);

  /** Creates the extension (JUnit does, through {@code @ExtendWith}). */
  public ConformanceReportExtension() {}

  enum Outcome { PASSED, UNSUPPORTED, SKIPPED, FAILED }

  record Row(String group, String test, Outcome outcome, String note) {}

  /** The outcomes of one top-level class; written to disk when its context closes. */
  static final class Report implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private final String testClass;
    private final List<Row> rows = new ArrayList<>();
    private Capabilities capabilities;
    private String reportName;
    private boolean written;

    Report(String testClass) {
      this.testClass = testClass;
    }

    synchronized void add(Row row) {
      rows.add(row);
    }

    synchronized void describe(Capabilities caps, String name) {
      if (capabilities == null && caps != null) {
        capabilities = caps;
        reportName = name;
      }
    }

    @Override
    public synchronized void close() {
      if (written) {
        return; // JUnit may close a value that is both CloseableResource and AutoCloseable once per interface
      }
      written = true;
      String name = reportName != null ? reportName
          : capabilities != null ? capabilities.backend() : testClass.substring(testClass.lastIndexOf('.') + 1);
      String file = name.replaceAll("[^A-Za-z0-9._-]", "_") + ".md";
      Path dir = Path.of(System.getProperty("user.dir"), "target", "conformance");
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(file), markdown(name), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write the conformance report " + dir.resolve(file), e);
      }
      System.out.println("Quiver conformance report written to " + dir.resolve(file));
    }

    private String markdown(String name) {
      StringBuilder md = new StringBuilder();
      md.append("# Quiver conformance report: ").append(name).append("\n\n");
      md.append("- date: ").append(OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
          .append('\n');
      md.append("- test class: `").append(testClass).append("`\n");
      if (capabilities != null) {
        md.append("- backend: `").append(capabilities.backend()).append("`, consistency ")
            .append(capabilities.consistency()).append(", maxTopK ").append(capabilities.maxTopK())
            .append(", maxDimension ").append(capabilities.maxDimension()).append('\n');
      } else {
        md.append("- backend: unknown (no store could be created)\n");
      }
      Map<Outcome, Integer> totals = new EnumMap<>(Outcome.class);
      for (Outcome o : Outcome.values()) {
        totals.put(o, 0);
      }
      // tables in the order groups first ran; a group's own table before those of its factories
      Map<String, Map<String, List<Row>>> byBase = new LinkedHashMap<>();
      for (Row r : rows) {
        totals.merge(r.outcome(), 1, Integer::sum);
        String base = r.group().split(" — ", 2)[0];
        byBase.computeIfAbsent(base, b -> new LinkedHashMap<>()).computeIfAbsent(r.group(), g -> new ArrayList<>())
            .add(r);
      }
      Map<String, List<Row>> groups = new LinkedHashMap<>();
      byBase.forEach((base, sub) -> {
        if (sub.containsKey(base)) {
          groups.put(base, sub.get(base));
        }
        sub.forEach(groups::putIfAbsent);
      });
      md.append("\n## Totals\n\n| passed | skipped (unsupported) | skipped (other) | failed | total |\n|---|---|---|---|---|\n");
      md.append("| ").append(totals.get(Outcome.PASSED)).append(" | ").append(totals.get(Outcome.UNSUPPORTED))
          .append(" | ").append(totals.get(Outcome.SKIPPED)).append(" | ").append(totals.get(Outcome.FAILED))
          .append(" | ").append(rows.size()).append(" |\n");
      for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
        md.append("\n## ").append(g.getKey()).append("\n\n| test | outcome | note |\n|---|---|---|\n");
        for (Row r : g.getValue()) {
          md.append("| ").append(cell(r.test())).append(" | ").append(label(r.outcome())).append(" | ")
              .append(cell(r.note())).append(" |\n");
        }
      }
      md.append("\n## Capabilities\n\n");
      if (capabilities == null) {
        md.append("(unknown)\n");
      } else {
        md.append("| feature | support | note |\n|---|---|---|\n");
        for (Capabilities.Entry e : capabilities.entries()) {
          md.append("| ").append(e.feature()).append(" | ").append(e.support()).append(" | ").append(cell(e.note()))
              .append(" |\n");
        }
      }
      return md.toString();
    }

    private static String label(Outcome o) {
      return switch (o) {
        case PASSED -> "passed";
        case UNSUPPORTED -> "skipped (unsupported)";
        case SKIPPED -> "skipped";
        case FAILED -> "**FAILED**";
      };
    }

    private static String cell(String s) {
      if (s == null) {
        return "";
      }
      String one = s.replace("\\", "\\\\").replace("|", "\\|").replace("\r", "\\r").replace("\n", "\\n")
          .replace("\t", "\\t");
      return one.length() > 400 ? one.substring(0, 400) + "…" : one;
    }
  }

  // ---- callbacks ----

  @Override
  public void beforeAll(ExtensionContext context) {
    if (isTopLevel(context)) {
      report(context);
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      if (instance instanceof VectorStoreConformanceKit kit && kit.capabilitiesOrNull() != null) {
        report(context).describe(kit.capabilitiesOrNull(), kit.reportNameSafely());
      }
    }
  }

  @Override
  public void testSuccessful(ExtensionContext context) {
    if (!isFactory(context)) { // a factory's dynamic tests are recorded one by one
      record(context, Outcome.PASSED, "");
    }
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    record(context, abortOutcome(cause), firstLine(cause));
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    record(context, Outcome.FAILED, firstLine(cause));
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    record(context, Outcome.SKIPPED, "disabled" + reason.map(r -> ": " + r).orElse(""));
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
      ExtensionContext extensionContext) throws Throwable {
    try {
      invocation.proceed();
      record(extensionContext, Outcome.PASSED, "");
    } catch (TestAbortedException e) {
      record(extensionContext, abortOutcome(e), firstLine(e));
      throw e;
    } catch (Throwable t) {
      record(extensionContext, Outcome.FAILED, firstLine(t));
      throw t;
    }
  }

  // ---- helpers ----

  private static Outcome abortOutcome(Throwable cause) {
    String m = cause == null ? null : cause.getMessage();
    return m != null && m.startsWith(UNSUPPORTED_PREFIX) ? Outcome.UNSUPPORTED : Outcome.SKIPPED;
  }

  private static boolean isFactory(ExtensionContext context) {
    return context.getTestMethod().map(m -> m.isAnnotationPresent(TestFactory.class)).orElse(false);
  }

  private static boolean isTopLevel(ExtensionContext context) {
    return context.getParent().map(p -> p.getParent().isEmpty()).orElse(false);
  }

  private static ExtensionContext topLevel(ExtensionContext context) {
    ExtensionContext c = context;
    while (!isTopLevel(c) && c.getParent().isPresent()) {
      c = c.getParent().get();
    }
    return c;
  }

  private static Report report(ExtensionContext context) {
    ExtensionContext top = topLevel(context);
    return top.getStore(NS).getOrComputeIfAbsent(top.getUniqueId(),
        k -> new Report(top.getTestClass().map(Class::getName).orElse(top.getDisplayName())), Report.class);
  }

  private static void record(ExtensionContext context, Outcome outcome, String note) {
    // group: the display name of the context just below the top-level class (the @Nested class)
    List<String> path = new ArrayList<>();
    ExtensionContext c = context;
    while (c.getParent().isPresent() && !isTopLevel(c)) {
      path.add(0, c.getDisplayName());
      c = c.getParent().get();
    }
    String group;
    String test;
    boolean nested = path.size() > 1 && isClassContext(context, path.size() - 1);
    if (nested) {
      group = path.get(0);
      List<String> rest = path.subList(1, path.size());
      if (rest.size() > 1 && isFactoryContext(context, rest.size() - 1)) {
        // dynamic tests get a table of their own, headed by the factory's sentence
        group = group + " — " + rest.get(0);
        rest = rest.subList(1, rest.size());
      }
      test = String.join(" › ", rest);
    } else {
      group = "Top level";
      test = String.join(" › ", path);
    }
    report(context).add(new Row(group, test, outcome, note));
  }

  /** Whether the ancestor {@code up} levels above the context is a {@code @TestFactory} method. */
  private static boolean isFactoryContext(ExtensionContext context, int up) {
    ExtensionContext c = context;
    for (int i = 0; i < up && c.getParent().isPresent(); i++) {
      c = c.getParent().get();
    }
    return isFactory(c);
  }

  /** Whether the ancestor {@code up} levels above the context is a class (a {@code @Nested} group). */
  private static boolean isClassContext(ExtensionContext context, int up) {
    ExtensionContext c = context;
    for (int i = 0; i < up && c.getParent().isPresent(); i++) {
      c = c.getParent().get();
    }
    return c.getElement().map(e -> e instanceof Class<?>).orElse(false);
  }

  private static String firstLine(Throwable t) {
    if (t == null) {
      return "";
    }
    String m = t.getMessage();
    if (m == null || m.isBlank()) {
      return t.getClass().getSimpleName();
    }
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
