package dev.rmm.bench;

import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;
import org.postgresql.PGConnection;

/**
 * The web console's page render time with a large read model (issue 16: p99 ≤ 50 ms with 100k
 * releases): fills {@code read_model} of the running local stack with {@code --releases} releases
 * of its own ({@code bench-render-*}, with {@code --events} timeline rows each, by COPY; a filled
 * model is kept for the next run), logs in to the console with the API token, then asks each page
 * {@code --requests} times from {@code --clients} closed-loop clients after {@code --warmup}
 * requests, and prints p50 / p99 / max and the rate per page. With {@code --api-pid} it also prints
 * release-api's CPU time per page (from /proc), since the machine is shared.
 *
 * <p>The bench releases' timeline rows point at offsets far past the log's end, so the release
 * page's chain check finds them missing at once (it reads nothing from Kafka): the figure is the
 * page's read-model queries and its rendering, not a Kafka fetch.
 */
public final class ConsoleRender {

  private static final String PREFIX = "bench-render-";

  private ConsoleRender() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> a = parse(args);
    String api = a.getOrDefault("api", "http://127.0.0.1:8081");
    String jdbc = a.getOrDefault("jdbc", "jdbc:postgresql://127.0.0.1:5432/postgres");
    String token = a.get("token");
    int releases = Integer.parseInt(a.getOrDefault("releases", "100000"));
    int services = Integer.parseInt(a.getOrDefault("services", "500"));
    int events = Integer.parseInt(a.getOrDefault("events", "6"));
    int requests = Integer.parseInt(a.getOrDefault("requests", "2000"));
    int warmup = Integer.parseInt(a.getOrDefault("warmup", "300"));
    int clients = Integer.parseInt(a.getOrDefault("clients", "4"));
    String apiPid = a.get("api-pid");
    if (token == null) {
      System.err.println("--token is required (the local stack's is in .rmm/dev-token)");
      System.exit(2);
    }

    try (Connection db = DriverManager.getConnection(jdbc, "postgres", "postgres")) {
      fill(db, releases, services, events);
    }
    HttpClient http =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    String session = login(http, api, token);

    Map<String, IntFunction<String>> pages = new java.util.LinkedHashMap<>();
    pages.put("board (active releases)", i -> "/console/board?lang=en");
    pages.put(
        "board (one service, any outcome)",
        i -> "/console/board?lang=en&outcome=any&service=" + service(i % services));
    // every release (a full sort per page before the read model's board index, V17), pages 1 to 40
    pages.put(
        "board (every release, pages 1-40)",
        i -> "/console/board?lang=en&outcome=any&page=" + (1 + i % 40));
    pages.put(
        "release page", i -> "/console/releases/" + PREFIX + (1 + random(releases)) + "?lang=en");
    pages.put("service page", i -> "/console/services/" + service(random(services)) + "?lang=en");
    System.out.printf(
        "console render: %d bench releases (%d services, %d timeline rows each) in read_model;"
            + " %d clients, %d requests per page after %d warm-up%n",
        releases, services, events, clients, requests, warmup);
    for (Map.Entry<String, IntFunction<String>> p : pages.entrySet()) {
      run(http, api, session, p.getValue(), warmup, clients, new Histogram(3));
      long cpuBefore = cpuMillis(apiPid);
      Histogram h = new Histogram(3);
      long t0 = System.nanoTime();
      run(http, api, session, p.getValue(), requests, clients, h);
      double seconds = (System.nanoTime() - t0) / 1e9;
      long cpu = cpuMillis(apiPid) - cpuBefore;
      System.out.printf(
          "%-34s p50 %6.2f ms  p99 %6.2f ms  max %7.2f ms  %7.0f pages/s%s%n",
          p.getKey(),
          h.getValueAtPercentile(50) / 1000.0,
          h.getValueAtPercentile(99) / 1000.0,
          h.getMaxValue() / 1000.0,
          requests / seconds,
          apiPid == null
              ? ""
              : String.format("  release-api CPU %.2f ms/page", cpu / (double) requests));
    }
  }

  private static String service(int i) {
    return String.format("bench-svc-%04d", i);
  }

  private static int random(int bound) {
    return ThreadLocalRandom.current().nextInt(bound);
  }

  /**
   * COPYs the bench releases (and their timeline rows) into read_model unless they are there: one
   * in 50 is in manual testing, the rest deployed or failed, created over the last 180 days.
   */
  static void fill(Connection db, int releases, int services, int events) throws Exception {
    try (Statement s = db.createStatement();
        ResultSet r =
            s.executeQuery(
                "SELECT count(*) FROM read_model.releases WHERE release_id LIKE '"
                    + PREFIX
                    + "%'")) {
      r.next();
      if (r.getLong(1) == releases) {
        System.out.println("read_model already holds the " + releases + " bench releases");
        return;
      }
    }
    long t0 = System.nanoTime();
    try (Statement s = db.createStatement()) {
      s.execute("DELETE FROM read_model.release_events WHERE release_id LIKE '" + PREFIX + "%'");
      s.execute("DELETE FROM read_model.releases WHERE release_id LIKE '" + PREFIX + "%'");
    }
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    StringBuilder rel = new StringBuilder(releases * 300);
    StringBuilder ev = new StringBuilder(releases * events * 160);
    String approvers = "\"[{\"\"id\"\": 1001, \"\"name\"\": \"\"Alice\"\"}]\"";
    for (int i = 1; i <= releases; i++) {
      String id = PREFIX + i;
      String svc = service(i % services);
      Instant created = now.minusSeconds((long) i * 180L * 86_400 / releases);
      boolean active = i % 50 == 0;
      boolean failed = !active && i % 10 == 0;
      String status = active ? "manual_testing" : failed ? "production_failed" : "deployed";
      String outcome = active ? "active" : failed ? "failed" : "successful";
      String deployed = active || failed ? "" : created.plusSeconds(3600).toString();
      rel.append(id)
          .append(',')
          .append(svc)
          .append(",v1.")
          .append(i / services)
          .append('.')
          .append(i % services)
          .append(',')
          .append(status)
          .append(',')
          .append(outcome)
          .append(",bench,")
          .append(i)
          .append(",https://github.com/acme/")
          .append(svc)
          .append("/actions/runs/")
          .append(i)
          .append(",refs/tags/v1,acme/")
          .append(svc)
          .append(',')
          .append(String.format("%040x", i))
          .append(',')
          .append(approvers)
          .append(",1,")
          .append(events)
          .append(',')
          .append(created)
          .append(',')
          .append(created)
          .append(',')
          .append(created.plusSeconds(3600))
          .append(',')
          .append(deployed)
          .append('\n');
      for (int seq = 1; seq <= events; seq++) {
        ev.append(id)
            .append(',')
            .append(seq)
            .append(',')
            .append(id)
            .append('-')
            .append(seq)
            .append(",release.status-changed.v1,")
            .append(created.plusSeconds(seq * 60L))
            .append(",pipeline,acme/")
            .append(svc)
            .append(",ci,{},0,")
            .append(1_000_000_000_000L + (long) i * events + seq)
            .append('\n');
      }
    }
    var copy = db.unwrap(PGConnection.class).getCopyAPI();
    long rows =
        copy.copyIn(
            "COPY read_model.releases (release_id, service_name, release_tag, status, outcome,"
                + " initiated_by, github_run_id, github_action_link, github_ref, repository,"
                + " commit_sha, required_approvers, quorum, version, created_at, started_at,"
                + " updated_at, deployed_at) FROM STDIN WITH (FORMAT csv)",
            new StringReader(rel.toString()));
    long eventRows =
        copy.copyIn(
            "COPY read_model.release_events (release_id, sequence, event_id, type, occurred_at,"
                + " actor_kind, actor_id, actor_name, data, kafka_partition, kafka_offset) FROM"
                + " STDIN WITH (FORMAT csv)",
            new StringReader(ev.toString()));
    try (Statement s = db.createStatement()) {
      s.execute("ANALYZE read_model.releases");
      s.execute("ANALYZE read_model.release_events");
    }
    System.out.printf(
        "filled read_model: %d releases and %d timeline rows by COPY in %.1f s%n",
        rows, eventRows, (System.nanoTime() - t0) / 1e9);
  }

  /** Logs in through the console's token form, as a browser does; returns the session cookie. */
  static String login(HttpClient http, String api, String token) throws Exception {
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/console/login")).build(),
            HttpResponse.BodyHandlers.ofString());
    String html = page.body();
    int at = html.indexOf("name=\"csrf\" value=\"");
    if (at < 0) {
      throw new IllegalStateException("no login form at " + api + "/console/login");
    }
    String csrf = html.substring(at + 19, html.indexOf('"', at + 19));
    String loginCookie = cookie(page, "rmm_console_login");
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create(api + "/console/login/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "rmm_console_login=" + loginCookie)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "token="
                            + URLEncoder.encode(token, StandardCharsets.UTF_8)
                            + "&csrf="
                            + URLEncoder.encode(csrf, StandardCharsets.UTF_8)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String session = cookie(login, "rmm_console");
    if (session == null) {
      throw new IllegalStateException("the console login was refused: " + login.statusCode());
    }
    return session;
  }

  private static String cookie(HttpResponse<?> r, String name) {
    for (String c : r.headers().allValues("set-cookie")) {
      if (c.startsWith(name + "=")) {
        return c.substring(name.length() + 1, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
      }
    }
    return null;
  }

  /** {@code n} page loads by {@code clients} closed-loop clients; latencies in microseconds. */
  private static void run(
      HttpClient http,
      String api,
      String session,
      IntFunction<String> path,
      int n,
      int clients,
      Histogram h)
      throws Exception {
    AtomicLong next = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      for (int c = 0; c < clients; c++) {
        done.add(
            pool.submit(
                () -> {
                  long i;
                  while ((i = next.getAndIncrement()) < n) {
                    HttpRequest req =
                        HttpRequest.newBuilder(URI.create(api + path.apply((int) i)))
                            .header("Cookie", "rmm_console=" + session)
                            .build();
                    long t0 = System.nanoTime();
                    HttpResponse<byte[]> r =
                        http.send(req, HttpResponse.BodyHandlers.ofByteArray());
                    long micros = (System.nanoTime() - t0) / 1000;
                    if (r.statusCode() != 200) {
                      throw new IllegalStateException(
                          req.uri() + " answered " + r.statusCode() + ": " + new String(r.body()));
                    }
                    synchronized (h) {
                      h.recordValue(micros);
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** The process's user + system CPU time so far, from /proc (0 without a pid). */
  private static long cpuMillis(String pid) throws Exception {
    if (pid == null) {
      return 0;
    }
    String[] f = Files.readString(Path.of("/proc", pid, "stat")).split("\\) ", 2)[1].split(" ");
    long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
    return ticks * 10; // USER_HZ is 100 on Linux
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
