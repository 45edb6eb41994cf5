package dev.rmm.bench;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.log.ChainFold;
import dev.rmm.contracts.log.StateFold;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The CPU one reader of the log spends per event, without Kafka or Postgres: what every reader pays
 * (decoding the CloudEvent, the chain rule's SHA-256 of the stored bytes) and what the writer's
 * reload and the orchestrator pay on top (the fold through {@code evolve}). Runs on the {@link
 * ReleaseHistories} log held in memory, each step {@code --rounds} times on one thread, and prints
 * the thread's CPU microseconds per event of each round (the first rounds warm the JIT). Compare
 * two versions of contracts by running this class against each one's jar.
 *
 * <p>Usage: {@code ReaderCost [--events 200000] [--active 1000] [--rounds 5]}
 */
public final class ReaderCost {

  private ReaderCost() {}

  public static void main(String[] args) throws Exception {
    int events = intArg(args, "--events", 200_000);
    int active = intArg(args, "--active", 1000);
    int rounds = intArg(args, "--rounds", 5);
    ReleaseHistories log = new ReleaseHistories(active);
    List<ReleaseHistories.Stored> stored = new ArrayList<>(events);
    for (int i = 0; i < events; i++) {
      stored.add(log.next());
    }
    long bytes = stored.stream().mapToLong(s -> s.value().length).sum();
    System.out.printf(
        "%,d events of %,d releases, %.0f bytes each on average; load average %s%n",
        events, log.releases(), (double) bytes / events, loadAverage());
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (int round = 1; round <= rounds; round++) {
      StringBuilder line = new StringBuilder("round " + round + ": CPU µs per event:");
      measure(cpu, line, "decode", stored, s -> EventCodec.decode(s.value()));
      measure(cpu, line, "sha256", stored, s -> EventChain.hash(s.value()));
      ChainFold chain = new ChainFold();
      measure(
          cpu,
          line,
          "chain rule (decode+hash)",
          stored,
          s -> chain.accept(s.releaseId(), s.value()));
      StateFold fold = new StateFold();
      measure(
          cpu,
          line,
          "state fold (decode+hash+evolve)",
          stored,
          s -> fold.accept(s.releaseId(), s.value()));
      System.out.println(line);
    }
  }

  private static void measure(
      ThreadMXBean cpu,
      StringBuilder line,
      String what,
      List<ReleaseHistories.Stored> stored,
      Consumer<ReleaseHistories.Stored> step) {
    long t0 = cpu.getCurrentThreadCpuTime();
    for (ReleaseHistories.Stored s : stored) {
      step.accept(s);
    }
    long ns = cpu.getCurrentThreadCpuTime() - t0;
    line.append(String.format("  %s %.2f", what, ns / 1000.0 / stored.size()));
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
