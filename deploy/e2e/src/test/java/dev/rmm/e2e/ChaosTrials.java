package dev.rmm.e2e;

import dev.rmm.local.RmmService;
import dev.rmm.testsupport.TestSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs chaos trials: for each, the load starts, the fault is injected and healed, the load stops,
 * and the {@link Verdict} judges. Every trial's outcome (PASS, or each failed verdict line) is
 * printed and appended to {@code target/chaos/trials.log}, with the services' logs named for the
 * details; the failures of all trials are returned so a test can show them all at once.
 */
final class ChaosTrials {

  /** Trials are numbered across the whole run, so every release tag is new. */
  private static final AtomicInteger TRIALS = new AtomicInteger();

  private final StackExtension stack;
  private final Verdict verdict;
  private final int pipelines;
  private final Path report;

  ChaosTrials(StackExtension stack, TestSshServer ssh, int pipelines) {
    this.stack = stack;
    this.verdict = new Verdict(stack, ssh);
    this.pipelines = pipelines;
    this.report = Path.of(System.getProperty("basedir", ".")).resolve("target/chaos/trials.log");
  }

  /** Runs {@code count} trials of the fault; returns every failed verdict line, per trial. */
  List<String> run(Fault fault, int count) throws Exception {
    List<String> failed = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      failed.addAll(trial(fault, i, count));
    }
    return failed;
  }

  private List<String> trial(Fault fault, int i, int count) throws Exception {
    int trial = TRIALS.incrementAndGet();
    ChaosLoad load = new ChaosLoad(stack.apiUrl(), stack.apiToken(), pipelines);
    long begin = System.nanoTime();
    load.start(trial);
    List<String> failed = new ArrayList<>();
    try {
      failed.addAll(fault.inject(load));
    } finally {
      load.stop();
    }
    failed.addAll(verdict.judge(load, trial));
    failed.addAll(fault.afterwards());
    String title =
        String.format(
            "%s, trial %d/%d (#%d): %d releases, %d answers, %d presses, %.1f s",
            fault.name(),
            i,
            count,
            trial,
            load.releases().size(),
            load.answers().size(),
            load.presses().size(),
            (System.nanoTime() - begin) / 1e9);
    List<String> lines = new ArrayList<>();
    if (failed.isEmpty()) {
      lines.add("PASS " + title);
    } else {
      lines.add("FAIL " + title);
      failed.forEach(f -> lines.add("  " + f));
      lines.add("  logs: " + logs());
    }
    lines.forEach(l -> System.out.println("[chaos] " + l));
    append(lines);
    List<String> named = new ArrayList<>();
    failed.forEach(f -> named.add(fault.name() + " #" + trial + ": " + f));
    return named;
  }

  private String logs() {
    List<String> files = new ArrayList<>();
    for (RmmService s : RmmService.values()) {
      files.add(stack.logFile(s).toString());
    }
    return String.join(" ", files);
  }

  private void append(List<String> lines) {
    try {
      Files.createDirectories(report.getParent());
      Files.write(
          report,
          lines.stream().map(l -> Instant.now() + " " + l).toList(),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + report, e);
    }
  }
}
