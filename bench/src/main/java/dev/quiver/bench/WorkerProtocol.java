package dev.quiver.bench;

/** The line tags a worker (a child JVM or the Python script) prints on stdout, tab-separated. */
final class WorkerProtocol {
  /** {@code NOTES <free text>} */
  static final String NOTES = "NOTES";
  /** {@code BUILD <seconds> <heap-or-rss delta bytes> <n> <dim>} */
  static final String BUILD = "BUILD";
  /** {@code TRAIN <seconds> <index bytes>} (IVF and PQ engines; -1 when the index size is unknown) */
  static final String TRAIN = "TRAIN";
  /** {@code SWEEP <ef or nprobe> <recall> <qps 1 thread> <qps all threads>} */
  static final String SWEEP = "SWEEP";
  /** {@code FILTER <selectivity> <ef> <recall> <qps 1 thread>} */
  static final String FILTER = "FILTER";
  /** {@code UNAVAILABLE <reason>} */
  static final String UNAVAILABLE = "UNAVAILABLE";
  /** {@code ERROR <message>} */
  static final String ERROR = "ERROR";

  private WorkerProtocol() {}
}
