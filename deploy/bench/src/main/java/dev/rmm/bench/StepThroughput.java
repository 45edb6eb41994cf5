package dev.rmm.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Load on release-api's write path, the way pipelines load it: each connection creates a release
 * and reports its three stage steps, again and again. Every request is answered only after Kafka
 * acknowledged the event, so each one is a real append. Prints throughput and latency percentiles.
 *
 * <pre>java -cp ... dev.rmm.bench.StepThroughput --api http://127.0.0.1:8081 --token $(cat
 * .rmm/dev-token) --connections 64 --seconds 30 --warmup 10</pre>
 */
public final class StepThroughput {

  private static final String[] STEPS = {"stage_building", "stage_test_rollback", "manual_testing"};
  private static final Pattern ID = Pattern.compile("\"release_id\"\\s*:\\s*\"([^\"]+)\"");

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String api = a.getOrDefault("api", "http://127.0.0.1:8081");
    String token = a.get("token");
    int connections = Integer.parseInt(a.getOrDefault("connections", "64"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
    if (token == null) {
      System.err.println("--token is required (the local stack's is in .rmm/dev-token)");
      System.exit(2);
    }
    Recorder recorder = new Recorder(3);
    AtomicLong errors = new AtomicLong();
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    long runId = System.currentTimeMillis();
    long end = System.nanoTime() + Duration.ofSeconds(warmup + seconds).toNanos();
    CountDownLatch done = new CountDownLatch(connections);
    // one client (one selector thread) for all workers; it keeps a pool of HTTP/1.1 connections
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int c = 0; c < connections; c++) {
      int conn = c;
      Thread t =
          new Thread(
              () -> {
                long n = 0;
                try {
                  while (System.nanoTime() < end) {
                    String body =
                        "{\"service\":\"bench-"
                            + conn
                            + "\",\"tag\":\"v"
                            + runId
                            + "."
                            + n++
                            + "\",\"initiator\":\"bench\",\"github_run_id\":\""
                            + runId
                            + "\",\"github_run_link\":\"https://github.com/acme/bench/actions/runs/1\","
                            + "\"ref\":\"refs/tags/v1\",\"repository\":\"acme/bench\","
                            + "\"commit_sha\":\"abcdef1\"}";
                    String created =
                        call(
                            http,
                            api + "/api/v1/releases",
                            body,
                            token,
                            recorder,
                            statuses,
                            errors);
                    Matcher m = created == null ? null : ID.matcher(created);
                    if (m == null || !m.find()) {
                      continue;
                    }
                    for (String s : STEPS) {
                      call(
                          http,
                          api + "/api/v1/releases/" + m.group(1) + "/steps",
                          "{\"status\":\"" + s + "\"}",
                          token,
                          recorder,
                          statuses,
                          errors);
                    }
                  }
                } finally {
                  done.countDown();
                }
              },
              "bench-" + c);
      t.setDaemon(true);
      t.start();
    }
    Thread.sleep(warmup * 1000L);
    recorder.getIntervalHistogram(); // drop the warm-up
    statuses.clear();
    long t0 = System.nanoTime();
    done.await();
    double secs = (System.nanoTime() - t0) / 1e9;
    Histogram h = recorder.getIntervalHistogram();
    System.out.printf(
        "connections=%d measured=%.1fs requests=%d throughput=%.0f req/s%n",
        connections, secs, h.getTotalCount(), h.getTotalCount() / secs);
    System.out.printf(
        "latency ms: p50=%.2f p90=%.2f p99=%.2f p99.9=%.2f max=%.2f%n",
        h.getValueAtPercentile(50) / 1e3,
        h.getValueAtPercentile(90) / 1e3,
        h.getValueAtPercentile(99) / 1e3,
        h.getValueAtPercentile(99.9) / 1e3,
        h.getMaxValue() / 1e3);
    System.out.println("status codes: " + statuses + " transport errors: " + errors.get());
  }

  private static String call(
      HttpClient http,
      String url,
      String body,
      String token,
      Recorder recorder,
      Map<Integer, AtomicLong> statuses,
      AtomicLong errors) {
    long t = System.nanoTime();
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(url))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      recorder.recordValue((System.nanoTime() - t) / 1000);
      statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
      return r.statusCode() < 300 ? r.body() : null;
    } catch (Exception e) {
      errors.incrementAndGet();
      return null;
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      m.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    return m;
  }

  private StepThroughput() {}
}
