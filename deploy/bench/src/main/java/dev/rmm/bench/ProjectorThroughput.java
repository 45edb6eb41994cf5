package dev.rmm.bench;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.local.LocalKafka;
import dev.rmm.local.LocalPostgres;
import dev.rmm.local.LocalStack;
import dev.rmm.local.Ports;
import dev.rmm.local.RmmService;
import dev.rmm.local.ServiceProcess;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The live projection's throughput (PRODUCT.md section 9: at least 40k events/s), on its own Kafka
 * (in this JVM) and Postgres (embedded, as the local stack runs them) with the packaged
 * release-projector as a process:
 *
 * <ol>
 *   <li>loads {@code --events} realistic events ({@link ReleaseHistories}) into a fresh {@code
 *       rmm.release-events} with a raw producer;
 *   <li>measures the ceilings of the JVM side on the same records, one thread: a bare consumer, the
 *       consumer decoding each event ({@link EventCodec#decode}), and decoding plus the chain
 *       rule's SHA-256 ({@link EventChain#hash});
 *   <li>starts the projector on the loaded log and times it from its first committed batch to the
 *       last position, sampling its stored positions in Postgres, with the CPU time that the
 *       projector, Postgres and this JVM (the broker) spent meanwhile;
 *   <li>checks the read model (one row per release, one timeline row per event) and times {@code
 *       /q/metrics} with every release in it.
 * </ol>
 *
 * <p>Usage: {@code deploy/bench/projector [--events 1000000] [--partitions 6] [--active 1000]
 * [--max-batch 2000] [--jfr]}. Prints a {@code RESULT} line last.
 */
public final class ProjectorThroughput {

  private static final String TOPIC = "rmm.release-events";

  private static Duration readyTimeout = Duration.ofSeconds(120);

  /** Whether a rebuild from offset 0 (compared with the live schema, not swapped) is timed. */
  private static boolean rebuild;

  /** The admin token the rebuild is asked with. */
  private static final String ADMIN_TOKEN = "bench-admin-token";

  /** Whether Postgres's time per statement (pg_stat_statements) is printed after the run. */
  private static boolean statements;

  public static void main(String[] args) throws Exception {
    long events = longArg(args, "--events", 1_000_000);
    int partitions = (int) longArg(args, "--partitions", 6);
    int active = (int) longArg(args, "--active", 1000);
    int maxBatch = (int) longArg(args, "--max-batch", 2000);
    boolean jfr = Arrays.asList(args).contains("--jfr");
    statements = Arrays.asList(args).contains("--pg-statements");
    rebuild = Arrays.asList(args).contains("--rebuild");
    // on a machine loaded by other work the ceilings take minutes and the start more than 2 min
    boolean ceilings = !Arrays.asList(args).contains("--no-ceilings");
    readyTimeout = Duration.ofSeconds(longArg(args, "--ready-timeout", 120));
    Path root = Path.of("").toAbsolutePath();
    Path jar = RmmService.RELEASE_PROJECTOR.runnerJar(root);
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: package release-projector first");
    }
    Path out =
        root.resolve("deploy/bench/target/projector/" + Instant.now().toString().replace(":", ""));
    Files.createDirectories(out);
    System.out.printf(
        "projector benchmark, %s, %d cores, load average %s; files in %s%n",
        Instant.now(), Runtime.getRuntime().availableProcessors(), loadAverage(), out);
    int pgPort = Ports.free();
    if (statements) {
      preloadStatementStatistics(out.resolve("postgres"), pgPort);
    }
    try (LocalKafka kafka = new LocalKafka(out.resolve("kafka"), Ports.free()).start();
        LocalPostgres pg = new LocalPostgres(out.resolve("postgres"), pgPort).start()) {
      String bootstrap = kafka.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(TOPIC, partitions, (short) 1))).all().get();
      }
      long releases = load(bootstrap, events, active);
      if (ceilings) {
        ceilings(bootstrap, events);
      }
      project(root, jar, out, kafka, pg, events, releases, maxBatch, jfr);
    } finally {
      deleteTree(out.resolve("kafka"));
      deleteTree(out.resolve("postgres"));
    }
  }

  /** Writes the log; returns the number of releases. */
  private static long load(String bootstrap, long events, int active) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 10);
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
    ReleaseHistories histories = new ReleaseHistories(active);
    long t0 = System.nanoTime();
    long bytes = 0;
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      for (long i = 0; i < events; i++) {
        ReleaseHistories.Stored s = histories.next();
        bytes += s.value().length;
        producer.send(new ProducerRecord<>(TOPIC, s.releaseId(), s.value()));
      }
      producer.flush();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "loaded %,d events of %,d releases (%d under way at once, %d bytes per event on"
            + " average) in %.1f s: %,.0f events/s%n",
        events, histories.releases(), active, bytes / events, secs, events / secs);
    return histories.releases();
  }

  /** What the JVM side can do at most on one thread: read, read and decode, and hash too. */
  private static void ceilings(String bootstrap, long events) {
    for (String what : List.of("consume", "consume+decode", "consume+decode+sha256")) {
      long t0 = System.nanoTime();
      long n = 0;
      try (KafkaConsumer<String, byte[]> c = consumer(bootstrap)) {
        List<TopicPartition> parts =
            c.partitionsFor(TOPIC).stream()
                .map(i -> new TopicPartition(TOPIC, i.partition()))
                .toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        while (n < events) {
          for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
            if (what.contains("decode")) {
              EventCodec.decode(r.value());
            }
            if (what.contains("sha256")) {
              EventChain.hash(r.value());
            }
            n++;
          }
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          "ceiling, one thread, %-22s %,10.0f events/s (%.1f s)%n", what, n / secs, secs);
    }
  }

  private static void project(
      Path root,
      Path jar,
      Path out,
      LocalKafka kafka,
      LocalPostgres pg,
      long events,
      long releases,
      int maxBatch,
      boolean jfr)
      throws Exception {
    Map<String, String> env = LocalStack.isolatedEnvironment("rmm-bench-projector");
    int port = Ports.free();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers());
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", pg.reactiveUrl());
    env.put("QUARKUS_DATASOURCE_JDBC_URL", pg.jdbcUrl());
    env.put("QUARKUS_DATASOURCE_USERNAME", LocalPostgres.USER);
    env.put("QUARKUS_DATASOURCE_PASSWORD", LocalPostgres.PASSWORD);
    env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
    env.put("RMM_PROJECTOR_MAX_BATCH", Integer.toString(maxBatch));
    env.put("RMM_PROJECTOR_METRICS_REFRESH", "2s");
    env.put("RMM_API_TOKENS", dev.rmm.contracts.ApiTokens.entry("*", ADMIN_TOKEN));
    List<String> jvm = new ArrayList<>(List.of("-Xmx512m"));
    if (jfr) {
      jvm.add(
          "-XX:StartFlightRecording=filename="
              + out.resolve("projector.jfr")
              + ",settings=profile,dumponexit=true");
    }
    ServiceProcess projector =
        new ServiceProcess(
            RmmService.RELEASE_PROJECTOR, jar, port, env, jvm, out.resolve("projector.log"));
    Set<Long> before =
        ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
    projector.start();
    try (Connection sql =
        DriverManager.getConnection(pg.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD)) {
      projector.awaitReady(readyTimeout);
      ProcessHandle jvmProcess =
          ProcessHandle.current()
              .children()
              .filter(h -> !before.contains(h.pid()))
              .findFirst()
              .orElseThrow();
      long applied = 0;
      long tFirst = 0;
      long t10 = 0;
      long t90 = 0;
      double[] cpuFirst = null;
      long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos();
      while (applied < events) {
        applied = position(sql);
        long now = System.nanoTime();
        if (applied > 0 && tFirst == 0) {
          tFirst = now;
          cpuFirst = cpu(jvmProcess, pg);
        }
        if (t10 == 0 && applied >= events / 10) {
          t10 = now;
        }
        if (t90 == 0 && applied >= events * 9 / 10) {
          t90 = now;
        }
        if (now > deadline) {
          throw new IllegalStateException("the projector did not catch up in 30 minutes");
        }
        Thread.sleep(20);
      }
      long tDone = System.nanoTime();
      double[] cpuDone = cpu(jvmProcess, pg);
      double secs = (tDone - tFirst) / 1e9;
      double rate = (events - firstBatch(events, maxBatch)) / Math.max(secs, 1e-3);
      double middle = (events * 0.8) / Math.max((t90 - t10) / 1e9, 1e-3);
      System.out.printf(
          "live projection: %,d events in %.1f s after its first batch: %,.0f events/s"
              + " (10%%..90%%: %,.0f events/s), load average %s%n",
          events, secs, rate, middle, loadAverage());
      String[] who = {"projector JVM", "postgres", "broker JVM (+ this bench)"};
      double total = 0;
      for (int i = 0; i < 3; i++) {
        total += cpuDone[i] - cpuFirst[i];
      }
      for (int i = 0; i < 3; i++) {
        double used = cpuDone[i] - cpuFirst[i];
        System.out.printf(
            "  cpu %-26s %6.1f s  %4.0f %%  %6.1f µs per event%n",
            who[i], used, 100 * used / total, used * 1e6 / events);
      }
      if (statements) {
        printStatements(sql);
      }
      long rows = single(sql, "SELECT count(*) FROM read_model.releases");
      long timeline = single(sql, "SELECT count(*) FROM read_model.release_events");
      System.out.printf(
          "read model: %,d releases (of %,d), %,d timeline rows (of %,d events)%n",
          rows, releases, timeline, events);
      long metricsRows = single(sql, "SELECT count(*) FROM read_model.delivery_metrics");
      String metrics = metricsLatency(port);
      System.out.printf(
          "delivery metrics: %d rows in read_model.delivery_metrics; GET /q/metrics %s%n",
          metricsRows, metrics);
      if (rebuild) {
        rebuild(port, jvmProcess, pg);
      }
      System.out.printf(
          "RESULT projector events=%d releases=%d seconds=%.2f events_per_s=%.0f"
              + " events_per_s_10_90=%.0f rows_ok=%b%n",
          events, releases, secs, rate, middle, rows == releases && timeline == events);
    } finally {
      projector.stop();
    }
  }

  /**
   * Starts Postgres once on its data directory to have it load pg_stat_statements from then on (a
   * library loaded only at start), and stops it; the benchmark's start keeps the setting.
   */
  private static void preloadStatementStatistics(Path data, int port) throws SQLException {
    try (LocalPostgres once = new LocalPostgres(data, port).start();
        Connection sql =
            DriverManager.getConnection(
                once.jdbcUrl(), LocalPostgres.USER, LocalPostgres.PASSWORD);
        Statement st = sql.createStatement()) {
      st.execute("ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'");
    }
  }

  /** Postgres's statements by time spent in them during the run, the most costly first. */
  private static void printStatements(Connection sql) throws SQLException {
    try (Statement st = sql.createStatement()) {
      st.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      try (ResultSet rs =
          st.executeQuery(
              "SELECT calls, rows, total_exec_time, left(regexp_replace(query, '\\s+', ' ',"
                  + " 'g'), 110) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8")) {
        System.out.println("  postgres statements (pg_stat_statements), most time first:");
        while (rs.next()) {
          System.out.printf(
              "    %8.1f s %7d calls %9d rows  %s%n",
              rs.getDouble(3) / 1000, rs.getLong(1), rs.getLong(2), rs.getString(4));
        }
      }
    }
  }

  /**
   * Asks the projector for a rebuild from offset 0 into a fresh schema, compared with the live one
   * and dropped (swap=false), and prints its report (events/s, differences) with the CPU time the
   * projector and Postgres used meanwhile.
   */
  private static void rebuild(int port, ProcessHandle projector, LocalPostgres pg)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest post =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/rebuild?swap=false"))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .timeout(Duration.ofMinutes(30))
            .POST(HttpRequest.BodyPublishers.noBody())
            .build();
    double[] before = cpu(projector, pg);
    long t0 = System.nanoTime();
    HttpResponse<String> r = http.send(post, HttpResponse.BodyHandlers.ofString());
    double secs = (System.nanoTime() - t0) / 1e9;
    double[] after = cpu(projector, pg);
    System.out.printf(
        "rebuild (swap=false): HTTP %d in %.1f s, load average %s: %s%n",
        r.statusCode(), secs, loadAverage(), r.body());
    System.out.printf(
        "  cpu projector JVM %.1f s, postgres %.1f s%n",
        after[0] - before[0], after[1] - before[1]);
  }

  /** The events counted by the first position stored: the first batch is not timed. */
  private static long firstBatch(long events, int maxBatch) {
    return Math.min(events, maxBatch);
  }

  private static long position(Connection sql) {
    try {
      return single(
          sql, "SELECT coalesce(sum(next_offset), 0) FROM read_model.projection_positions");
    } catch (SQLException e) {
      return 0; // the schema is not there until the projector has migrated it
    }
  }

  private static long single(Connection sql, String query) throws SQLException {
    try (Statement st = sql.createStatement();
        ResultSet rs = st.executeQuery(query)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** CPU seconds so far of the projector, of Postgres (server and backends) and of this JVM. */
  private static double[] cpu(ProcessHandle projector, LocalPostgres pg) {
    String data = pg.dataDir().toString();
    double postgres =
        ProcessHandle.allProcesses()
            .filter(
                h ->
                    h.info().commandLine().map(c -> c.contains(data)).orElse(false)
                        && h.info().command().map(c -> c.endsWith("postgres")).orElse(false))
            .flatMap(
                h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants()))
            .mapToDouble(ProjectorThroughput::cpuSeconds)
            .sum();
    double self =
        ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime()
            / 1e9;
    return new double[] {cpuSeconds(projector), postgres, self};
  }

  private static double cpuSeconds(ProcessHandle h) {
    return h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0);
  }

  /** p50 and max of 20 scrapes of /q/metrics, after the metrics were read once. */
  private static String metricsLatency(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest get =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build();
    Thread.sleep(2500); // one refresh after the last batch
    long[] ms = new long[20];
    int bytes = 0;
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
      bytes = r.body().length();
      if (r.statusCode() != 200 || !r.body().contains("rmm_releases{")) {
        throw new IllegalStateException(
            "/q/metrics answered " + r.statusCode() + " without rmm_releases");
      }
    }
    Arrays.sort(ms);
    return "p50 "
        + ms[ms.length / 2]
        + " ms, max "
        + ms[ms.length - 1]
        + " ms ("
        + bytes
        + " bytes)";
  }

  private static KafkaConsumer<String, byte[]> consumer(String bootstrap) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    return new KafkaConsumer<>(p);
  }

  private static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (Exception e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }

  private static long longArg(String[] args, String name, long fallback) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals(name)) {
        return Long.parseLong(args[i + 1]);
      }
    }
    return fallback;
  }
}
