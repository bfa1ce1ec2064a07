package dev.quiver.local.internal.kernel;

import java.util.Locale;

/**
 * Chooses the distance kernel once per JVM. The Panama kernel ({@code jdk.incubator.vector}) is
 * used only when that module is in the boot layer (the JVM was started with
 * {@code --add-modules jdk.incubator.vector}); it is loaded by name so that neither compiling nor
 * running the rest of the engine needs the incubator module. The system property
 * {@code quiver.kernel=scalar} forces the plain-Java kernel.
 *
 * <p>{@link #active()} is a constant after class initialisation, so the JIT sees a single
 * implementation at every call site and inlines it.
 */
public final class Kernels {

  /** Class name of the Panama kernel, compiled in a separate javac execution (see the module's pom). */
  static final String PANAMA_CLASS = "dev.quiver.local.internal.kernel.PanamaKernel";

  /** Class name of the Panama {@link CodeKernel}, compiled with the Panama distance kernel. */
  static final String PANAMA_CODES_CLASS = "dev.quiver.local.internal.kernel.PanamaCodeKernel";

  private static final VectorKernel ACTIVE = choose();
  private static final CodeKernel ACTIVE_CODES = chooseCodes();

  private Kernels() {}

  /** @return the kernel this JVM uses */
  public static VectorKernel active() {
    return ACTIVE;
  }

  /** @return the plain-Java kernel */
  public static VectorKernel scalar() {
    return ScalarKernel.INSTANCE;
  }

  /**
   * @return the Panama kernel, or {@code null} when {@code jdk.incubator.vector} is not in the
   *     boot layer (or the class could not be loaded)
   */
  public static VectorKernel panamaOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (VectorKernel) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  /** @return the product-quantisation kernel this JVM uses (Panama exactly when {@link #active()} is) */
  public static CodeKernel codes() {
    return ACTIVE_CODES;
  }

  /** @return the plain-Java product-quantisation kernel */
  public static CodeKernel scalarCodes() {
    return ScalarCodeKernel.INSTANCE;
  }

  /** @return the Panama product-quantisation kernel, or {@code null} as for {@link #panamaOrNull()} */
  public static CodeKernel panamaCodesOrNull() {
    if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return null;
    }
    try {
      return (CodeKernel) Class.forName(PANAMA_CODES_CLASS).getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException | LinkageError e) {
      return null;
    }
  }

  private static CodeKernel chooseCodes() {
    if (ACTIVE == ScalarKernel.INSTANCE) {
      return ScalarCodeKernel.INSTANCE;
    }
    CodeKernel panama = panamaCodesOrNull();
    return panama != null ? panama : ScalarCodeKernel.INSTANCE;
  }

  private static VectorKernel choose() {
    String forced = System.getProperty("quiver.kernel", "").toLowerCase(Locale.ROOT);
    if (forced.equals("scalar")) {
      return ScalarKernel.INSTANCE;
    }
    VectorKernel panama = panamaOrNull();
    return panama != null ? panama : ScalarKernel.INSTANCE;
  }
}
