package dev.rmm.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Freshness of the read model (PRODUCT.md §9: "accepted step visible in the read model, p99 ≤ 25 ms
 * at 1k steps/s"): the time from release-api's 2xx to the moment the projector's transaction
 * holding that event is committed.
 *
 * <p>How it is measured without slowing what it measures: writes go out open-loop at a fixed rate
 * (a release is created, then reported {@code stage_building}, {@code stage_test_rollback} and
 * {@code manual_testing}, each step once the previous one was answered; when no release waits for
 * its next step a new one is created), and each 2xx is kept with its release id, the version it
 * answered and the time. Meanwhile one JDBC connection reads {@code projection_positions} about
 * every 0.5 ms and keeps, per partition, when each stored position first appeared: the projector
 * commits its position in the same transaction as the rows, so an event is visible once its
 * partition's position is past its offset. After the run the events' partitions and offsets come
 * from the timeline ({@code release_events}), and each answer's freshness is the first poll that
 * saw its event's offset passed, minus the answer's time. The poll's period bounds the error.
 *
 * <pre>deploy/bench/freshness --rate 1000 --seconds 30 --warmup 10</pre>
 */
public final class Freshness {

  private static final String[] STEPS = {"stage_building", "stage_test_rollback", "manual_testing"};
  private static final Pattern ID = Pattern.compile("\"release_id\"\\s*:\\s*\"([^\"]+)\"");
  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(\\d+)");

  /** One 2xx answer: the event it stands for and when it arrived. */
  private record Answer(String releaseId, long version, long answeredAt, boolean measured) {}

  /** A release and the index of its next step in {@link #STEPS}. */
  private record Next(String releaseId, int step) {}

  /** When each stored position of one partition was first seen. */
  private static final class Positions {
    final List<long[]> seen = new ArrayList<>(); // {nanoTime, nextOffset}

    void observe(long at, long nextOffset) {
      if (seen.isEmpty() || seen.get(seen.size() - 1)[1] != nextOffset) {
        seen.add(new long[] {at, nextOffset});
      }
    }

    /** The first time the position was past {@code offset}, or -1 when never seen. */
    long visibleAt(long offset) {
      int lo = 0;
      int hi = seen.size() - 1;
      long found = -1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (seen.get(mid)[1] > offset) {
          found = seen.get(mid)[0];
          hi = mid - 1;
        } else {
          lo = mid + 1;
        }
      }
      return found;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String api = a.getOrDefault("api", "http://127.0.0.1:8081");
    String token = a.get("token");
    String jdbc = a.getOrDefault("jdbc", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String topic = a.getOrDefault("topic", "rmm.release-events");
    double rate = Double.parseDouble(a.getOrDefault("rate", "1000"));
    int seconds = Integer.parseInt(a.getOrDefault("seconds", "30"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "10"));
    int services = Integer.parseInt(a.getOrDefault("services", "1000"));
    int connections = Integer.parseInt(a.getOrDefault("connections", "64"));
    if (token == null) {
      System.err.println("--token is required (the local stack's is in .rmm/dev-token)");
      System.exit(2);
    }

    Map<Integer, Positions> positions = new ConcurrentHashMap<>();
    AtomicLong polls = new AtomicLong();
    Connection db = DriverManager.getConnection(jdbc, "postgres", "postgres");
    PreparedStatement positionsQuery =
        db.prepareStatement(
            "SELECT partition, next_offset FROM read_model.projection_positions WHERE topic = ?");
    positionsQuery.setString(1, topic);
    AtomicBoolean stop = new AtomicBoolean();
    Thread poller =
        new Thread(
            () -> {
              try {
                while (!stop.get()) {
                  try (ResultSet rs = positionsQuery.executeQuery()) {
                    long at = System.nanoTime();
                    while (rs.next()) {
                      positions
                          .computeIfAbsent(rs.getInt(1), p -> new Positions())
                          .observe(at, rs.getLong(2));
                    }
                  }
                  polls.incrementAndGet();
                  LockSupport.parkNanos(500_000);
                }
              } catch (Exception e) {
                System.err.println("freshness: reading the positions failed: " + e);
                System.exit(1);
              }
            },
            "positions");
    poller.setDaemon(true);
    poller.start();

    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    ConcurrentLinkedQueue<Next> ready = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    AtomicLong errors = new AtomicLong();
    AtomicLong late = new AtomicLong();
    Histogram answerLatency = new Histogram(60_000_000L, 3);
    long run = System.currentTimeMillis() / 1000;
    long start = System.nanoTime();
    long measureFrom = start + Duration.ofSeconds(warmup).toNanos();
    long end = measureFrom + Duration.ofSeconds(seconds).toNanos();
    AtomicLong created = new AtomicLong();
    double intervalNanos = 1e9 / rate;
    // blocking workers, each sending its share of the schedule: HttpClient's sendAsync with
    // hundreds
    // of connections answered far slower than the API did (rows were visible before the answers)
    Thread[] workers = new Thread[connections];
    for (int w = 0; w < connections; w++) {
      int worker = w;
      workers[w] =
          new Thread(
              () -> {
                for (long k = 0; ; k++) {
                  long due = start + (long) ((k * connections + worker) * intervalNanos);
                  if (due >= end) {
                    return;
                  }
                  long now = System.nanoTime();
                  if (due > now) {
                    LockSupport.parkNanos(due - now);
                  } else if (now - due > 10_000_000L) {
                    late.incrementAndGet(); // the API (or this box) did not keep up
                  }
                  Next next = ready.poll();
                  HttpRequest request;
                  if (next == null) {
                    long n = created.incrementAndGet();
                    request = post(api + "/api/v1/releases", token, creation(services, run, n));
                    next = new Next(null, 0);
                  } else {
                    String body = "{\"status\":\"" + STEPS[next.step()] + "\"}";
                    request =
                        post(api + "/api/v1/releases/" + next.releaseId() + "/steps", token, body);
                  }
                  long sentAt = System.nanoTime();
                  HttpResponse<String> response;
                  try {
                    response = http.send(request, HttpResponse.BodyHandlers.ofString());
                  } catch (Exception failure) {
                    if (errors.incrementAndGet() <= 3) {
                      System.err.println("freshness: a request failed: " + failure);
                    }
                    continue;
                  }
                  long at = System.nanoTime();
                  statuses
                      .computeIfAbsent(response.statusCode(), c -> new AtomicLong())
                      .incrementAndGet();
                  if (response.statusCode() / 100 != 2) {
                    continue;
                  }
                  Matcher id = ID.matcher(response.body());
                  Matcher version = VERSION.matcher(response.body());
                  if (!id.find() || !version.find()) {
                    if (errors.incrementAndGet() <= 3) {
                      System.err.println(
                          "freshness: an answer without release_id or version: " + response.body());
                    }
                    continue;
                  }
                  boolean measured = sentAt >= measureFrom;
                  if (measured) {
                    synchronized (answerLatency) {
                      answerLatency.recordValue(Math.max(1, (at - sentAt) / 1000));
                    }
                  }
                  answers.add(
                      new Answer(id.group(1), Long.parseLong(version.group(1)), at, measured));
                  if (next.releaseId() == null) {
                    ready.add(new Next(id.group(1), 0));
                  } else if (next.step() + 1 < STEPS.length) {
                    ready.add(new Next(id.group(1), next.step() + 1));
                  }
                }
              },
              "writer-" + w);
      workers[w].start();
    }
    for (Thread t : workers) {
      t.join();
    }
    long sendingEnded = System.nanoTime();

    List<Answer> measured = answers.stream().filter(Answer::measured).toList();
    Map<String, Map<Long, long[]>> events =
        new HashMap<>(); // release -> version -> {partition, offset}
    List<String> ids = measured.stream().map(Answer::releaseId).distinct().toList();
    long waitUntil = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    // wait until the read model holds every measured event, then read where each one is
    while (true) {
      events.clear();
      try (PreparedStatement q =
          db.prepareStatement(
              "SELECT release_id, sequence, kafka_partition, kafka_offset"
                  + " FROM read_model.release_events WHERE release_id = ANY(?)")) {
        for (int i = 0; i < ids.size(); i += 2000) {
          Array chunk =
              db.createArrayOf("text", ids.subList(i, Math.min(ids.size(), i + 2000)).toArray());
          q.setArray(1, chunk);
          try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
              events
                  .computeIfAbsent(rs.getString(1), r -> new HashMap<>())
                  .put(rs.getLong(2), new long[] {rs.getInt(3), rs.getLong(4)});
            }
          }
        }
      }
      long missing =
          measured.stream()
              .filter(x -> !events.getOrDefault(x.releaseId(), Map.of()).containsKey(x.version()))
              .count();
      if (missing == 0 || System.nanoTime() > waitUntil) {
        if (missing > 0) {
          System.out.println(
              "freshness: " + missing + " answered events never reached the read model");
        }
        break;
      }
      Thread.sleep(500);
    }
    // the poller must have seen every position the events need
    Thread.sleep(100);
    stop.set(true);
    poller.join();

    Histogram freshness = new Histogram(600_000_000L, 3);
    long beforeAnswer = 0;
    long unseen = 0;
    for (Answer x : measured) {
      long[] where = events.getOrDefault(x.releaseId(), Map.of()).get(x.version());
      if (where == null) {
        continue;
      }
      Positions p = positions.get((int) where[0]);
      long visible = p == null ? -1 : p.visibleAt(where[1]);
      if (visible < 0) {
        unseen++;
        continue;
      }
      long micros = (visible - x.answeredAt()) / 1000;
      if (micros < 0) {
        beforeAnswer++;
        micros = 0;
      }
      freshness.recordValue(Math.max(1, micros));
    }
    double measuredSeconds = (Math.min(sendingEnded, end) - measureFrom) / 1e9;
    long pollCount = polls.get();
    System.out.printf(
        "freshness: target rate %.0f writes/s, %d s warm-up, %d s measured; answered in the"
            + " measured window %d (%.0f/s); statuses %s; errors %d; sent over 10 ms late (%d"
            + " connections) %d%n",
        rate,
        warmup,
        seconds,
        measured.size(),
        measured.size() / measuredSeconds,
        statuses,
        errors.get(),
        connections,
        late.get());
    System.out.printf(
        "answer latency ms: p50 %.2f, p99 %.2f, max %.2f%n",
        answerLatency.getValueAtPercentile(50) / 1000.0,
        answerLatency.getValueAtPercentile(99) / 1000.0,
        answerLatency.getMaxValue() / 1000.0);
    System.out.printf(
        "2xx -> visible in the read model, ms: p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f, max %.2f"
            + " (%d events; %d visible before the answer arrived, counted as 0; %d not matched);"
            + " positions read %d times, every %.2f ms on average%n",
        freshness.getValueAtPercentile(50) / 1000.0,
        freshness.getValueAtPercentile(90) / 1000.0,
        freshness.getValueAtPercentile(99) / 1000.0,
        freshness.getValueAtPercentile(99.9) / 1000.0,
        freshness.getMaxValue() / 1000.0,
        freshness.getTotalCount(),
        beforeAnswer,
        unseen,
        pollCount,
        (System.nanoTime() - start) / 1e6 / Math.max(1, pollCount));
    System.out.printf(
        "RESULT freshness rate=%.0f achieved=%.0f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f%n",
        rate,
        measured.size() / measuredSeconds,
        freshness.getValueAtPercentile(50) / 1000.0,
        freshness.getValueAtPercentile(99) / 1000.0,
        freshness.getMaxValue() / 1000.0);
    db.close();
  }

  private static String creation(int services, long run, long n) {
    return "{\"service\":\"fresh-"
        + (n % services)
        + "\",\"tag\":\"v"
        + run
        + ".0."
        + n
        + "\",\"initiator\":\"bench\",\"github_run_id\":\""
        + run
        + "\",\"github_run_link\":\"https://github.com/acme/bench/actions/runs/1\","
        + "\"ref\":\"refs/tags/v1\",\"repository\":\"acme/bench\",\"commit_sha\":\"abcdef1\"}";
  }

  private static HttpRequest post(String url, String token, String body) {
    return HttpRequest.newBuilder(URI.create(url))
        .header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(30))
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --name value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }
}
