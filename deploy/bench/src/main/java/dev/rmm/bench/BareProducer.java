package dev.rmm.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The Kafka side of {@code deploy/bench/write-path}, two commands against a running broker.
 *
 * <ul>
 *   <li>{@code state}: the partitions of the events topic and the sum of its end offsets (the
 *       events already in the log), so a reader knows the machine state of a run.
 *   <li>{@code producer}: the bare producer's ceiling on the same broker. N threads each call
 *       {@code send(record).get()} in a loop (acks=all, idempotent, linger.ms=0, ~1 KB records
 *       shaped like a release event) on a scratch topic created for the run and deleted after it.
 *       Warm-up, then a measured window; throughput and latency percentiles (HdrHistogram).
 * </ul>
 *
 * <p>Both print one {@code RESULT key=value ...} line for the script to parse; errors go to stderr
 * with exit status 3 when the broker cannot be reached.
 */
public final class BareProducer {

  private static final String CE_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
    }
    Map<String, String> a = parse(args);
    String bootstrap = a.getOrDefault("bootstrap", "127.0.0.1:9092");
    switch (args[0]) {
      case "state" -> state(bootstrap, a.getOrDefault("topic", "rmm.release-events"));
      case "producer" ->
          producer(
              bootstrap,
              Integer.parseInt(a.getOrDefault("threads", "64")),
              Integer.parseInt(a.getOrDefault("warmup", "10")),
              Integer.parseInt(a.getOrDefault("seconds", "30")),
              Integer.parseInt(a.getOrDefault("record-bytes", "1024")),
              Integer.parseInt(a.getOrDefault("partitions", "6")),
              a.getOrDefault("mode", "shared"));
      default -> usage();
    }
  }

  private static void usage() {
    System.err.println(
        "usage: BareProducer state [--bootstrap H:P] [--topic T]\n"
            + "       BareProducer producer [--bootstrap H:P] [--threads 64] [--warmup 10]"
            + " [--seconds 30] [--record-bytes 1024] [--partitions 6] [--mode shared|per-thread]");
    System.exit(2);
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "8000");
    return Admin.create(p);
  }

  /** Fails with a clear message (exit 3) when no broker answers at {@code bootstrap}. */
  private static void requireBroker(Admin admin, String bootstrap) {
    try {
      admin.describeCluster().nodes().get(8, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println(
          "no Kafka broker answers at "
              + bootstrap
              + " ("
              + cause.getClass().getSimpleName()
              + "): is the local stack up (deploy/local/start)? Or pass --bootstrap.");
      System.exit(3);
    }
  }

  private static void state(String bootstrap, String topic) throws Exception {
    try (Admin admin = admin(bootstrap)) {
      requireBroker(admin, bootstrap);
      TopicDescription d;
      try {
        d =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get(8, TimeUnit.SECONDS)
                .get(topic);
      } catch (java.util.concurrent.ExecutionException e) {
        System.out.println("RESULT state topic=" + topic + " partitions=0 events=0 missing=true");
        return;
      }
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      d.partitions()
          .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(8, TimeUnit.SECONDS);
      long sum =
          ends.values().stream().mapToLong(ListOffsetsResult.ListOffsetsResultInfo::offset).sum();
      System.out.printf(
          "RESULT state topic=%s partitions=%d events=%d%n", topic, d.partitions().size(), sum);
    }
  }

  private static void producer(
      String bootstrap,
      int threads,
      int warmup,
      int seconds,
      int recordBytes,
      int partitions,
      String mode)
      throws Exception {
    if (!mode.equals("shared") && !mode.equals("per-thread")) {
      usage();
    }
    String topic = "rmm.bench.bare-producer-" + System.currentTimeMillis();
    try (Admin admin = admin(bootstrap)) {
      requireBroker(admin, bootstrap);
      admin
          .createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
          .all()
          .get(30, TimeUnit.SECONDS);
      Thread cleanup = new Thread(() -> deleteTopic(admin, topic), "delete-scratch-topic");
      Runtime.getRuntime().addShutdownHook(cleanup);
      try {
        run(bootstrap, topic, threads, warmup, seconds, recordBytes, partitions, mode);
      } finally {
        Runtime.getRuntime().removeShutdownHook(cleanup);
        deleteTopic(admin, topic);
      }
    }
  }

  private static void deleteTopic(Admin admin, String topic) {
    try {
      admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
      System.err.println("deleted scratch topic " + topic);
    } catch (Exception e) {
      System.err.println("could not delete scratch topic " + topic + ": " + e);
    }
  }

  private static KafkaProducer<String, byte[]> newProducer(String bootstrap) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "rmm-bench-bare-producer");
    return new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
  }

  private static void run(
      String bootstrap,
      String topic,
      int threads,
      int warmup,
      int seconds,
      int recordBytes,
      int partitions,
      String mode)
      throws Exception {
    List<KafkaProducer<String, byte[]>> producers = new ArrayList<>();
    int count = mode.equals("shared") ? 1 : threads;
    for (int i = 0; i < count; i++) {
      producers.add(newProducer(bootstrap));
    }
    Recorder recorder = new Recorder(3);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong errors = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        KafkaProducer<String, byte[]> producer = producers.get(t % count);
        Thread w =
            new Thread(
                () -> {
                  while (!stop.get()) {
                    String releaseId = UUID.randomUUID().toString();
                    ProducerRecord<String, byte[]> r =
                        new ProducerRecord<>(
                            topic,
                            null,
                            releaseId,
                            releaseEvent(releaseId, recordBytes),
                            headers());
                    long t0 = System.nanoTime();
                    try {
                      producer.send(r).get();
                      recorder.recordValue((System.nanoTime() - t0) / 1000);
                      sent.incrementAndGet();
                    } catch (Exception e) {
                      if (errors.incrementAndGet() <= 5) {
                        System.err.println("send failed: " + e);
                      }
                    }
                  }
                },
                "bare-producer-" + t);
        w.setDaemon(true);
        workers.add(w);
      }
      workers.forEach(Thread::start);
      Thread.sleep(warmup * 1000L);
      recorder.getIntervalHistogram(); // drop the warm-up
      long before = sent.get();
      long errorsBefore = errors.get();
      long t0 = System.nanoTime();
      Thread.sleep(seconds * 1000L);
      Histogram h = recorder.getIntervalHistogram();
      double secs = (System.nanoTime() - t0) / 1e9;
      long n = sent.get() - before;
      stop.set(true);
      for (Thread w : workers) {
        w.join(30_000);
      }
      System.out.printf(
          java.util.Locale.ROOT,
          "RESULT producer mode=%s producers=%d threads=%d partitions=%d record_bytes=%d"
              + " seconds=%.1f records=%d rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f"
              + " max_ms=%.2f errors=%d%n",
          mode,
          count,
          threads,
          partitions,
          recordBytes,
          secs,
          n,
          n / secs,
          h.getValueAtPercentile(50) / 1e3,
          h.getValueAtPercentile(90) / 1e3,
          h.getValueAtPercentile(99) / 1e3,
          h.getMaxValue() / 1e3,
          errors.get() - errorsBefore);
    } finally {
      stop.set(true);
      for (KafkaProducer<String, byte[]> p : producers) {
        p.close(Duration.ofSeconds(10));
      }
    }
  }

  private static RecordHeaders headers() {
    RecordHeaders h = new RecordHeaders();
    h.add("content-type", CE_CONTENT_TYPE.getBytes(StandardCharsets.UTF_8));
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String traceparent =
        String.format("00-%016x%016x-%016x-00", r.nextLong(), r.nextLong(), r.nextLong());
    h.add("traceparent", traceparent.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  /** A structured-mode CloudEvent like release-api's, padded to {@code size} bytes. */
  static byte[] releaseEvent(String releaseId, int size) {
    StringBuilder b =
        new StringBuilder(size + 64)
            .append("{\"specversion\":\"1.0\",\"id\":\"")
            .append(UUID.randomUUID())
            .append("\",\"source\":\"/rmm/release-api\",\"type\":\"dev.rmm.release.created.v1\",")
            .append("\"subject\":\"")
            .append(releaseId)
            .append("\",\"time\":\"")
            .append(Instant.now())
            .append("\",\"datacontenttype\":\"application/json\",\"data\":{\"release_id\":\"")
            .append(releaseId)
            .append("\",\"service\":\"bench\",\"tag\":\"v1.0.0\",\"initiator\":\"bench\",")
            .append(
                "\"repository\":\"acme/bench\",\"commit_sha\":\"abcdef1\",\"ref\":\"refs/tags/v1\",")
            .append(
                "\"github_run_link\":\"https://github.com/acme/bench/actions/runs/1\",\"note\":\"");
    while (b.length() < size - 3) {
      b.append('x');
    }
    return b.append("\"}}").toString().getBytes(StandardCharsets.UTF_8);
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        usage();
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  private BareProducer() {}
}
