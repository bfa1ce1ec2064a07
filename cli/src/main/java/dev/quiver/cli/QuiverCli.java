package dev.quiver.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quiver} command: entry point of the launcher script at the repository root. */
@Command(
    name = "quiver",
    mixinStandardHelpOptions = true,
    version = "Quiver 0.1.0-SNAPSHOT",
    description = "One vector-store API over an embedded engine, Milvus, Qdrant and Pinecone.",
    subcommands = {DemoCommand.class, ServeCommand.class, MigrateCommand.class, ExportCommand.class, ImportCommand.class,
        CompareCommand.class, CommandLine.HelpCommand.class})
public final class QuiverCli implements Runnable {

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  /**
   * @param args command-line arguments
   */
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /**
   * Runs the command without exiting, for tests.
   *
   * @param args command-line arguments
   * @return the exit code
   */
  public static int run(String... args) {
    return new CommandLine(new QuiverCli()).execute(args);
  }

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }
}
