package dev.quiver.local.internal.storage;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Main class of the crash harness's child JVM: {@code CrashChild <workload class> <dir> <seed>}.
 * Prints {@code READY} when the store is open and {@code ACK <token>} after each acknowledged write,
 * flushing every line before the workload continues, so whatever the parent has read was acknowledged
 * before the kill.
 */
public final class CrashChild {

  private CrashChild() {}

  /**
   * @param args workload class name, store directory, seed
   */
  public static void main(String[] args) {
    PrintStream out = System.out;
    try {
      CrashWorkload workload = (CrashWorkload) Class.forName(args[0]).getDeclaredConstructor().newInstance();
      workload.runChild(Path.of(args[1]), Long.parseLong(args[2]), () -> line(out, "READY"), token -> line(out, "ACK " + token));
      line(out, "DONE");
      System.exit(0);
    } catch (Throwable t) {
      t.printStackTrace();
      System.exit(3);
    }
  }

  private static void line(PrintStream out, String s) {
    synchronized (out) {
      out.println(s);
      out.flush();
    }
  }
}
