package dev.rmm.bench;

import dev.rmm.contracts.log.StateFold;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import javax.management.ObjectName;

/**
 * The heap a reader needs per release in work (issue 12): folds {@code --releases} releases that
 * are all under way (4 events each on average: created, built, rehearsed, in manual testing, as the
 * write-path benchmark leaves them) through {@link StateFold}, the fold the orchestrator and the
 * writer keep, and reports the heap in use after a full collection, per release. No broker: the
 * records come from {@link ReleaseHistories}, decoded as readers decode them. The figure does not
 * depend on the machine's load, so it can be compared across builds of {@code contracts}.
 *
 * <p>Usage: {@code java -cp <bench classpath> dev.rmm.bench.FoldMemory [--releases 100000]
 * [--histogram]} ({@code --histogram}: the 25 classes with most bytes after the fold).
 */
public final class FoldMemory {

  private FoldMemory() {}

  public static void main(String[] args) throws Exception {
    int releases = 100_000;
    boolean histogram = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--releases")) {
        releases = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--histogram")) {
        histogram = true;
      } else {
        throw new IllegalArgumentException(
            "unknown argument " + args[i] + " (--releases N, --histogram)");
      }
    }
    // the records first, so that the figure is the fold's alone (the records stay reachable)
    ReleaseHistories log = new ReleaseHistories(releases);
    ReleaseHistories.Stored[] records = new ReleaseHistories.Stored[4 * releases];
    for (int i = 0; i < records.length; i++) {
      records[i] = log.next();
    }
    log = null;
    long before = usedAfterGc();
    StateFold fold = new StateFold();
    for (ReleaseHistories.Stored s : records) {
      fold.accept(s.releaseId(), s.value());
    }
    long after = usedAfterGc();
    System.out.printf(
        "RESULT fold-memory records=%d releases_in_work=%d heap_mb=%.1f bytes_per_release=%d%n",
        records.length,
        fold.size(),
        (after - before) / 1e6,
        (after - before) / Math.max(1, fold.size()));
    if (histogram) {
      System.out.println(classHistogram().lines().limit(25).reduce("", (a, b) -> a + b + "\n"));
    }
  }

  /** What {@code jcmd <pid> GC.class_histogram} prints, from inside: where the bytes are. */
  private static String classHistogram() throws Exception {
    return (String)
        ManagementFactory.getPlatformMBeanServer()
            .invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[] {null},
                new String[] {String[].class.getName()});
  }

  private static long usedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
