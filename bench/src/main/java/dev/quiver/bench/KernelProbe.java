package dev.quiver.bench;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * Asks the embedded engine which distance kernel it runs (plain Java loops or the incubator Vector
 * API), if it tells; otherwise says whether the Vector API module is present in this JVM.
 */
final class KernelProbe {

  private static final String[] CLASSES = {
      "dev.quiver.local.LocalVectorStore", "dev.quiver.local.Kernels", "dev.quiver.local.VectorKernels",
      "dev.quiver.local.Distances", "dev.quiver.local.kernel.Kernels", "dev.quiver.local.DistanceKernels",
      "dev.quiver.local.simd.Kernels", "dev.quiver.local.index.Distances"};
  private static final String[] METHODS = {"distanceKernel", "kernelName", "kernel", "activeKernel", "kernelDescription", "describe"};

  private KernelProbe() {}

  static String describe() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    String prop = System.getProperty("quiver.kernel");
    for (String c : CLASSES) {
      try {
        Class<?> cls = Class.forName(c);
        for (String m : METHODS) {
          try {
            Method meth = cls.getMethod(m);
            if (Modifier.isStatic(meth.getModifiers()) && meth.getParameterCount() == 0) {
              Object v = meth.invoke(null);
              if (v != null) {
                return v + " (reported by " + cls.getSimpleName() + "." + m + "())";
              }
            }
          } catch (NoSuchMethodException ignored) {
            // try the next name
          }
        }
      } catch (ClassNotFoundException ignored) {
        // try the next class
      } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
        return "unknown (" + e + ")";
      }
    }
    return (prop != null ? prop + " " : "") + "not reported by the engine; jdk.incubator.vector module "
        + (module ? "present" : "absent");
  }
}
