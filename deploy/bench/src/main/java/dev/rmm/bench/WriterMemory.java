package dev.rmm.bench;

import dev.rmm.local.LocalKafka;
import dev.rmm.local.LocalPostgres;
import dev.rmm.local.LocalStack;
import dev.rmm.local.Ports;
import dev.rmm.local.RmmService;
import dev.rmm.local.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * release-api's memory and takeover time with many releases (issue 12), on its own Kafka and
 * PostgreSQL:
 *
 * <ol>
 *   <li>starts the packaged release-api on an empty log: RSS and heap idle;
 *   <li>stops it, loads {@code --events} events with a raw producer ({@link ReleaseHistories});
 *       with {@code --short} every release is created, built and fails on stage (3 events, a
 *       finished release), so 3M events make 1M releases;
 *   <li>starts it again: it folds every partition from offset 0 (time to ready), then snapshots;
 *       RSS, the heap after a full GC (class histogram), and the young-GC pauses of the run;
 *   <li>stops it and starts it once more: a takeover of every partition from its snapshot (time to
 *       ready, each partition's load as the writer logged it), RSS and heap again.
 * </ol>
 *
 * <p>Usage: {@code deploy/bench/writer-memory [--events 3000000] [--partitions 3] [--short] [--xmx
 * 512m] [--ready-minutes 30] [--service-env NAME=VALUE]... [--jar
 * release-api/target/quarkus-app/quarkus-run.jar]}. {@code --jar} runs another build of release-api
 * (e.g. an older one, for a before/after).
 */
public final class WriterMemory {

  private static final String TOPIC = "rmm.release-events";

  private static Duration readyTimeout;

  /** {@code --service-env NAME=VALUE} (repeatable): more environment for release-api. */
  private static final Map<String, String> serviceEnv = new java.util.TreeMap<>();

  public static void main(String[] args) throws Exception {
    long events = longArg(args, "--events", 3_000_000);
    int partitions = (int) longArg(args, "--partitions", 3);
    boolean shortLives = Arrays.asList(args).contains("--short");
    String xmx = stringArg(args, "--xmx", "512m");
    readyTimeout = Duration.ofMinutes(longArg(args, "--ready-minutes", 30));
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals("--service-env")) {
        String[] kv = args[i + 1].split("=", 2);
        serviceEnv.put(kv[0], kv[1]);
      }
    }
    Path root = Path.of("").toAbsolutePath();
    Path jar = Path.of(stringArg(args, "--jar", RmmService.RELEASE_API.runnerJar(root).toString()));
    Path out =
        root.resolve(
            "deploy/bench/target/writer-memory/" + Instant.now().toString().replace(":", ""));
    Files.createDirectories(out);
    System.out.printf(
        "writer memory benchmark, %s, %d cores, load average %s; %s %s; files in %s%n",
        Instant.now(),
        Runtime.getRuntime().availableProcessors(),
        loadAverage(),
        jar,
        serviceEnv,
        out);
    try (LocalKafka kafka = new LocalKafka(out.resolve("kafka"), Ports.free()).start();
        LocalPostgres pg = new LocalPostgres(out.resolve("postgres"), Ports.free()).start()) {
      Run idle = new Run(root, jar, out, kafka, pg, partitions, xmx, "idle");
      idle.startAndMeasure();
      idle.stop();

      long releases = load(kafka.bootstrapServers(), events, shortLives);

      Run fold = new Run(root, jar, out, kafka, pg, partitions, xmx, "fold-from-0");
      try {
        fold.startAndMeasure();
      } catch (IllegalStateException e) {
        // an older build may not get there with this heap: say what it did instead
        System.out.printf(
            "%n== fold-from-0: NOT READY (%s), load average %s%n",
            e.getMessage().lines().findFirst().orElse(""), loadAverage());
        fold.measureIfAlive();
        fold.stop();
        System.out.printf(
            "RESULT writer-memory events=%d releases=%d partitions=%d xmx=%s fold_ready=false"
                + " rss_idle_mib=%d%n",
            events, releases, partitions, xmx, idle.rssMib);
        return;
      }
      fold.awaitSnapshots(partitions, Duration.ofMinutes(10));
      fold.measure("after its snapshots");
      fold.stop();

      Run takeover = new Run(root, jar, out, kafka, pg, partitions, xmx, "takeover");
      takeover.startAndMeasure();
      takeover.stop();
      System.out.printf(
          "RESULT writer-memory events=%d releases=%d partitions=%d xmx=%s fold_ready_s=%.1f"
              + " takeover_ready_s=%.1f rss_idle_mib=%d rss_loaded_mib=%d rss_takeover_mib=%d%n",
          events,
          releases,
          partitions,
          xmx,
          fold.readySeconds,
          takeover.readySeconds,
          idle.rssMib,
          fold.rssMib,
          takeover.rssMib);
    } finally {
      deleteTree(out.resolve("kafka"));
      deleteTree(out.resolve("postgres"));
    }
  }

  /** One life of release-api, from start to stop. */
  private static final class Run {
    final String name;
    final ServiceProcess process;
    final Path log;
    final Path gcLog;
    ProcessHandle handle;
    double readySeconds;
    long rssMib;

    Run(
        Path root,
        Path jar,
        Path out,
        LocalKafka kafka,
        LocalPostgres pg,
        int partitions,
        String xmx,
        String name) {
      this.name = name;
      this.log = out.resolve("release-api-" + name + ".log");
      this.gcLog = out.resolve("gc-" + name + ".log");
      Map<String, String> env = LocalStack.isolatedEnvironment("rmm-bench-writer-memory");
      int port = Ports.free();
      env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
      env.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl());
      env.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl());
      env.put("QUARKUS_DATASOURCE_USERNAME", LocalPostgres.USER);
      env.put("QUARKUS_DATASOURCE_PASSWORD", LocalPostgres.PASSWORD);
      env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
      env.put("RMM_TOPICS_PARTITIONS", Integer.toString(partitions));
      env.putAll(serviceEnv);
      List<String> jvm =
          List.of("-Xmx" + xmx, "-Xlog:gc:file=" + gcLog + ":uptime", "-XX:+UseG1GC");
      this.process = new ServiceProcess(RmmService.RELEASE_API, jar, port, env, jvm, log);
    }

    void startAndMeasure() throws Exception {
      Set<Long> before =
          ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
      long t0 = System.nanoTime();
      process.start();
      process.awaitReady(readyTimeout);
      readySeconds = (System.nanoTime() - t0) / 1e9;
      handle =
          ProcessHandle.current()
              .children()
              .filter(h -> !before.contains(h.pid()))
              .findFirst()
              .get();
      System.out.printf(
          "%n== %s: ready in %.1f s (JVM start included), load average %s%n",
          name, readySeconds, loadAverage());
      for (String line : Files.readAllLines(log)) {
        if (line.contains("loaded in") || line.contains("Snapshot of partition")) {
          System.out.println("  log: " + line.substring(Math.max(0, line.indexOf("Partition"))));
        }
      }
      measure("ready");
    }

    void measureIfAlive() throws Exception {
      ProcessHandle.current()
          .children()
          .filter(h -> h.info().commandLine().map(c -> c.contains(gcLog.toString())).orElse(false))
          .findFirst()
          .ifPresentOrElse(
              h -> {
                handle = h;
                try {
                  measure("not ready");
                } catch (Exception e) {
                  System.out.println("  could not measure: " + e);
                }
              },
              () -> System.out.println("  the process is gone"));
      Files.readAllLines(log).stream()
          .filter(l -> l.contains("OutOfMemory") || l.contains("loaded in") || l.contains("ready"))
          .limit(20)
          .forEach(l -> System.out.println("  log: " + l));
      System.out.println("  young-GC pauses: " + youngPauses());
    }

    void awaitSnapshots(int partitions, Duration timeout) throws Exception {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        long written =
            Files.readAllLines(log).stream()
                .filter(l -> l.contains("Snapshot of partition"))
                .count();
        if (written >= partitions) {
          Files.readAllLines(log).stream()
              .filter(l -> l.contains("Snapshot of partition"))
              .forEach(l -> System.out.println("  log: " + l.substring(l.indexOf("Snapshot"))));
          return;
        }
        Thread.sleep(500);
      }
      throw new IllegalStateException("no snapshot of every partition in " + timeout);
    }

    void measure(String when) throws Exception {
      long pid = handle.pid();
      rssMib = rssKib(pid) / 1024;
      System.out.printf("  %s: RSS %d MiB, load average %s%n", when, rssMib, loadAverage());
      String histogram = jcmd(pid, "GC.class_histogram"); // a full GC first: the live set
      List<String> lines = histogram.lines().toList();
      lines.stream().limit(13).forEach(l -> System.out.println("    " + l));
      lines.stream()
          .filter(l -> l.startsWith("Total"))
          .forEach(l -> System.out.println("    live set " + l));
      jcmd(pid, "GC.heap_info").lines().forEach(l -> System.out.println("    " + l));
      System.out.printf(
          "  RSS after the full GC: %d MiB; young-GC pauses so far: %s%n",
          rssKib(pid) / 1024, youngPauses());
    }

    /** Count, p50, p99 and max of the young pauses in the GC log. */
    String youngPauses() throws IOException {
      Pattern p = Pattern.compile("Pause Young.* ([0-9.]+)ms$");
      List<Double> ms = new ArrayList<>();
      for (String line : Files.readAllLines(gcLog)) {
        Matcher m = p.matcher(line);
        if (m.find()) {
          ms.add(Double.parseDouble(m.group(1)));
        }
      }
      if (ms.isEmpty()) {
        return "none";
      }
      ms.sort(Comparator.naturalOrder());
      return String.format(
          "%d, p50 %.1f ms, p99 %.1f ms, max %.1f ms",
          ms.size(),
          ms.get(ms.size() / 2),
          ms.get(Math.min(ms.size() - 1, (int) Math.ceil(ms.size() * 0.99) - 1)),
          ms.get(ms.size() - 1));
    }

    void stop() {
      process.stop();
    }
  }

  /** Writes the log; returns the number of releases. */
  private static long load(String bootstrap, long events, boolean shortLives) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    ReleaseHistories histories = new ReleaseHistories(1000, shortLives);
    long t0 = System.nanoTime();
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (long i = 0; i < events; i++) {
        ReleaseHistories.Stored s = histories.next();
        producer.send(new ProducerRecord<>(TOPIC, s.releaseId(), s.value()));
      }
      producer.flush();
    }
    System.out.printf(
        "%nloaded %,d events of %,d releases (%s) in %.1f s, load average %s%n",
        events,
        histories.releases(),
        shortLives ? "each created, built, failed on stage" : "whole lifecycles",
        (System.nanoTime() - t0) / 1e9,
        loadAverage());
    return histories.releases();
  }

  private static long rssKib(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }

  private static String jcmd(long pid, String command) throws Exception {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
            .redirectErrorStream(true)
            .start();
    String text = new String(p.getInputStream().readAllBytes());
    p.waitFor(60, TimeUnit.SECONDS);
    return text;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static long longArg(String[] args, String name, long fallback) {
    return Long.parseLong(stringArg(args, name, Long.toString(fallback)));
  }

  private static String stringArg(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
