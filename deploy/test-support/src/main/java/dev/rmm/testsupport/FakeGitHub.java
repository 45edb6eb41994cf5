package dev.rmm.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local GitHub REST API for the two calls the orchestrator makes, checking requests as GitHub
 * does: a request without User-Agent is refused (403), a missing or wrong token is 401 "Bad
 * credentials", an unknown workflow is 404, a body without {@code ref} is 422, and a dispatch is
 * answered 204 No Content and creates a workflow run whose title carries the {@code dispatch_id}
 * input (as the workflow template's {@code run-name} does). Tests script failures of the dispatch
 * (500, 429 with Retry-After; a 502 or a dropped connection after the run was created, as when
 * GitHub's front end fails after the back end took the request) and of the run lookup (any status,
 * or a dropped connection), slow answers, and read every request and every run created.
 */
public final class FakeGitHub {

  /** The token the fake accepts unless a test sets others. */
  public static final String TOKEN = "ghp_rmmTestToken0123456789";

  /** One request as GitHub received it. */
  public record Request(
      String method, String path, Map<String, String> headers, JsonNode body, int status) {}

  /**
   * A scripted answer: {@code status} {@link #DROP} closes the connection without an answer; {@code
   * afterRun} creates the dispatch's run first.
   */
  private record Failure(int status, Map<String, String> headers, String body, boolean afterRun) {}

  /** A scripted "status" that closes the connection without answering (an I/O error). */
  public static final int DROP = -1;

  /**
   * One request as it arrived, with when ({@link System#nanoTime()}), how it was answered ({@link
   * #DROP}: no answer) and the {@code Retry-After} seconds sent with it (null: none), for checks
   * that a client waited as it was asked to.
   *
   * @param kind {@code dispatch}, {@code lookup} or {@code other}
   * @param createdRun whether the request created a workflow run (the dispatch reached GitHub,
   *     whatever it was answered)
   */
  public record Arrival(
      String kind,
      long atNanos,
      int status,
      Integer retryAfter,
      boolean createdRun,
      JsonNode body) {}

  private static final java.util.Queue<Arrival> ARRIVALS =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /**
   * An outage until {@code untilNanos}: dispatches are answered in turn 503, 429 with Retry-After,
   * and 502 after their run was created; run lookups in turn 503, a dropped connection, and 429
   * with Retry-After.
   */
  private record Outage(long untilNanos, int retryAfterSeconds) {}

  private static volatile Outage outage;
  private static final java.util.concurrent.atomic.AtomicInteger OUTAGE_DISPATCHES =
      new java.util.concurrent.atomic.AtomicInteger();
  private static final java.util.concurrent.atomic.AtomicInteger OUTAGE_LOOKUPS =
      new java.util.concurrent.atomic.AtomicInteger();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DISPATCH =
      Pattern.compile("/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/dispatches");
  private static final Pattern APP_TOKEN =
      Pattern.compile("/app/installations/([0-9]+)/access_tokens");
  private static final Map<String, java.security.interfaces.RSAPublicKey> APPS =
      new ConcurrentHashMap<>();
  private static final Pattern RUNS =
      Pattern.compile("/repos/([^/]+/[^/]+)/actions/workflows/([^/]+)/runs");
  private static final List<Request> REQUESTS = new CopyOnWriteArrayList<>();
  private static final Set<String> TOKENS = ConcurrentHashMap.newKeySet();
  private static final Set<String> WORKFLOWS = ConcurrentHashMap.newKeySet();
  private static final Map<String, ArrayNode> RUNS_BY_WORKFLOW = new ConcurrentHashMap<>();
  private static final Deque<Failure> FAILURES = new ArrayDeque<>();
  private static final Deque<Failure> LOOKUP_FAILURES = new ArrayDeque<>();
  private static final AtomicLong RUN_IDS = new AtomicLong(7_000_000_000L);
  private static final java.util.concurrent.atomic.AtomicInteger ARRIVED =
      new java.util.concurrent.atomic.AtomicInteger();

  /** {@link #ARRIVED} by the release id input of the dispatch (none: ""). */
  private static final Map<String, java.util.concurrent.atomic.AtomicInteger> ARRIVED_BY_RELEASE =
      new ConcurrentHashMap<>();

  private static volatile Duration slowDispatch = Duration.ZERO;
  private static HttpServer server;

  /** The request being answered; recorded with its status just before the answer goes out. */
  private static final ThreadLocal<Request> PENDING = new ThreadLocal<>();

  /** Records the request being answered, so a test that got the answer finds it recorded. */
  private static void recordAnswer(int status) {
    Request r = PENDING.get();
    if (r != null) {
      REQUESTS.add(new Request(r.method(), r.path(), r.headers(), r.body(), status));
      PENDING.remove();
    }
  }

  private FakeGitHub() {}

  /** Starts the server once per JVM; returns its base URL (the API root). */
  public static synchronized String start() {
    if (server == null) {
      server = LoopbackServer.start("fake-github", FakeGitHub::handle);
      reset();
    }
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Forgets requests, runs and scripted failures; accepts {@link #TOKEN} and no workflow. */
  public static synchronized void reset() {
    REQUESTS.clear();
    TOKENS.clear();
    TOKENS.add(TOKEN);
    WORKFLOWS.clear();
    RUNS_BY_WORKFLOW.clear();
    APPS.clear();
    synchronized (FAILURES) {
      FAILURES.clear();
      LOOKUP_FAILURES.clear();
    }
    slowDispatch = Duration.ZERO;
    ARRIVED.set(0);
    ARRIVED_BY_RELEASE.clear();
    ARRIVALS.clear();
    outage = null;
  }

  /** Dispatch requests that reached the fake with a valid token, answered yet or not. */
  public static int dispatchesArrived() {
    return ARRIVED.get();
  }

  /**
   * Dispatch requests for one release ({@code inputs.release_id}) that reached the fake with a
   * valid token, answered yet or not: for tests that share the fake with others whose releases may
   * be dispatched at the same time.
   */
  public static int dispatchesArrived(String releaseId) {
    java.util.concurrent.atomic.AtomicInteger n = ARRIVED_BY_RELEASE.get(releaseId);
    return n == null ? 0 : n.get();
  }

  /** Makes a workflow exist ({@code owner/repo}, file name); {@code *} as repo matches any. */
  public static void addWorkflow(String repository, String workflow) {
    WORKFLOWS.add(repository + "|" + workflow);
  }

  /**
   * Registers a GitHub App's installation: a JWT signed with the App's key (RS256, issuer = the App
   * id) buys an installation token that the fake then accepts.
   */
  public static void addApp(
      String appId, long installationId, java.security.interfaces.RSAPublicKey key) {
    APPS.put(appId + "/" + installationId, key);
  }

  /** The next dispatch is answered with this status, headers and body instead. */
  public static void failNextDispatch(int status, Map<String, String> headers, String body) {
    synchronized (FAILURES) {
      FAILURES.add(new Failure(status, headers, body, false));
    }
  }

  /**
   * The next dispatch creates its run (GitHub has it) but is answered with this status ({@link
   * #DROP}: the connection closes without an answer).
   */
  public static void failNextDispatchAfterCreatingTheRun(int status, String body) {
    synchronized (FAILURES) {
      FAILURES.add(new Failure(status, Map.of(), body, true));
    }
  }

  /**
   * The next listing of a workflow's runs is answered with this status, headers and body instead
   * ({@link #DROP}: the connection closes without an answer).
   */
  public static void failNextRunLookup(int status, Map<String, String> headers, String body) {
    synchronized (FAILURES) {
      LOOKUP_FAILURES.add(new Failure(status, headers, body, false));
    }
  }

  /**
   * For {@code duration} from now GitHub is failing, as during one of its incidents: every dispatch
   * is answered in turn 503, 429 with {@code Retry-After: retryAfterSeconds} (a secondary rate
   * limit), and 502 after its run was created (the front end failed after the back end took it);
   * every listing of runs in turn 503, a dropped connection, and 429 with {@code Retry-After}. The
   * scripted failures of {@link #failNextDispatch} and {@link #failNextRunLookup} come first.
   */
  public static void outage(Duration duration, int retryAfterSeconds) {
    outage = new Outage(System.nanoTime() + duration.toNanos(), retryAfterSeconds);
  }

  /** Every dispatch and run lookup that reached the fake with a valid token, in order. */
  public static List<Arrival> arrivals() {
    return List.copyOf(ARRIVALS);
  }

  /**
   * The dispatches that reached GitHub (created their workflow run), whatever they were answered:
   * 204, or a 5xx or no answer after the run was created. The production workflow runs for each.
   */
  public static List<JsonNode> dispatchesTaken() {
    return ARRIVALS.stream()
        .filter(a -> a.kind().equals("dispatch") && a.createdRun())
        .map(Arrival::body)
        .toList();
  }

  /** The display titles of every workflow run the dispatches created, in any workflow. */
  public static List<String> runTitles() {
    List<String> titles = new java.util.ArrayList<>();
    RUNS_BY_WORKFLOW
        .values()
        .forEach(
            runs -> {
              synchronized (runs) {
                runs.forEach(r -> titles.add(r.path("display_title").asText()));
              }
            });
    return titles;
  }

  /** The display titles of the runs the dispatches created in one workflow of one repository. */
  public static List<String> runTitles(String repository, String workflow) {
    ArrayNode runs = RUNS_BY_WORKFLOW.get(key(repository, workflow));
    if (runs == null) {
      return List.of();
    }
    List<String> titles = new java.util.ArrayList<>();
    synchronized (runs) {
      runs.forEach(r -> titles.add(r.path("display_title").asText()));
    }
    return titles;
  }

  /** Dispatches are accepted (and their runs created) at once but answered only after this. */
  public static void slowDispatches(Duration delay) {
    slowDispatch = delay;
  }

  public static List<Request> requests() {
    return List.copyOf(REQUESTS);
  }

  /** The dispatches GitHub accepted (204), in order. */
  public static List<Request> dispatches() {
    return REQUESTS.stream()
        .filter(r -> r.path().endsWith("/dispatches") && r.status() == 204)
        .toList();
  }

  /** The dispatches of one release ({@code inputs.release_id}) GitHub accepted (204), in order. */
  public static List<Request> dispatches(String releaseId) {
    return dispatches().stream()
        .filter(
            r -> r.body() != null && releaseId.equals(r.body().at("/inputs/release_id").asText()))
        .toList();
  }

  private static void handle(HttpExchange ex) throws IOException {
    try {
      String path = ex.getRequestURI().getPath();
      Map<String, String> headers = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      ex.getRequestHeaders().forEach((k, v) -> headers.put(k, String.join(",", v)));
      byte[] raw = ex.getRequestBody().readAllBytes();
      JsonNode body = null;
      if (raw.length > 0) {
        try {
          body = JSON.readTree(raw);
        } catch (IOException e) {
          body = JSON.getNodeFactory().textNode(new String(raw, StandardCharsets.UTF_8));
        }
      }
      PENDING.set(
          new Request(
              ex.getRequestMethod(),
              path,
              java.util.Collections.unmodifiableMap(headers),
              body,
              0));
      answer(ex, path, headers, body);
    } finally {
      PENDING.remove();
      ex.close();
    }
  }

  private static int answer(
      HttpExchange ex, String path, Map<String, String> headers, JsonNode body) throws IOException {
    if (!headers.containsKey("User-Agent") || headers.get("User-Agent").isBlank()) {
      return text(
          ex,
          403,
          "Request forbidden by administrative rules. Please make sure your request has a"
              + " User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required).");
    }
    String auth = headers.getOrDefault("Authorization", "");
    Matcher app = APP_TOKEN.matcher(path);
    if (app.matches() && ex.getRequestMethod().equals("POST")) {
      return installationToken(ex, app.group(1), auth);
    }
    String token =
        auth.startsWith("Bearer ")
            ? auth.substring(7)
            : auth.startsWith("token ") ? auth.substring(6) : "";
    if (!TOKENS.contains(token)) {
      return json(ex, 401, error("Bad credentials", "https://docs.github.com/rest", 401), Map.of());
    }
    Matcher dispatch = DISPATCH.matcher(path);
    Matcher runs = RUNS.matcher(path);
    if (dispatch.matches() && ex.getRequestMethod().equals("POST")) {
      ARRIVED.incrementAndGet();
      ARRIVED_BY_RELEASE
          .computeIfAbsent(
              body == null ? "" : body.at("/inputs/release_id").asText(""),
              r -> new java.util.concurrent.atomic.AtomicInteger())
          .incrementAndGet();
      long at = System.nanoTime();
      int[] created = {0};
      int status = dispatch(ex, dispatch.group(1), dispatch.group(2), body, created);
      ARRIVALS.add(
          new Arrival("dispatch", at, status, LAST_RETRY_AFTER.get(), created[0] == 1, body));
      LAST_RETRY_AFTER.remove();
      return status;
    }
    if (runs.matches() && ex.getRequestMethod().equals("GET")) {
      Failure f;
      synchronized (FAILURES) {
        f = LOOKUP_FAILURES.poll();
      }
      if (f == null) {
        f = outageFailure(false);
      }
      if (f != null) {
        return arrived("lookup", scripted(ex, f), f, false, null);
      }
      if (!known(runs.group(1), runs.group(2))) {
        return notFound(ex);
      }
      ARRIVALS.add(new Arrival("lookup", System.nanoTime(), 200, null, false, null));
      ArrayNode list =
          RUNS_BY_WORKFLOW.getOrDefault(key(runs.group(1), runs.group(2)), JSON.createArrayNode());
      ObjectNode page = JSON.createObjectNode();
      synchronized (list) {
        page.put("total_count", list.size());
        page.set("workflow_runs", list.deepCopy());
      }
      return json(ex, 200, page, Map.of());
    }
    return notFound(ex);
  }

  private static int dispatch(
      HttpExchange ex, String repo, String workflow, JsonNode body, int[] created)
      throws IOException {
    Failure f;
    synchronized (FAILURES) {
      f = FAILURES.poll();
    }
    if (f == null) {
      f = outageFailure(true);
    }
    if (f != null) {
      LAST_RETRY_AFTER.set(retryAfter(f));
    }
    if (f != null && !f.afterRun()) {
      return scripted(ex, f);
    }
    if (!known(repo, workflow)) {
      return notFound(ex);
    }
    if (body == null || !body.isObject() || !body.path("ref").isTextual()) {
      return json(
          ex,
          422,
          error(
              "Invalid request.\n\n\"ref\" wasn't supplied.",
              "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
              422),
          Map.of());
    }
    ObjectNode run = JSON.createObjectNode();
    run.put("id", RUN_IDS.incrementAndGet());
    run.put("name", workflow);
    run.put(
        "display_title",
        "Deploy "
            + body.at("/inputs/release_tag").asText("")
            + " ("
            + body.at("/inputs/dispatch_id").asText("")
            + ")");
    run.put("event", "workflow_dispatch");
    run.put("status", "queued");
    run.put("head_branch", body.path("ref").asText());
    ArrayNode runs =
        RUNS_BY_WORKFLOW.computeIfAbsent(key(repo, workflow), k -> JSON.createArrayNode());
    synchronized (runs) {
      runs.insert(0, run);
    }
    created[0] = 1;
    if (f != null) {
      return scripted(ex, f);
    }
    recordAnswer(204); // GitHub has the dispatch (and its run) before it answers
    Duration delay = slowDispatch;
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ex.sendResponseHeaders(204, -1);
    return 204;
  }

  /** The Retry-After of the scripted answer being sent on this thread, for its arrival. */
  private static final ThreadLocal<Integer> LAST_RETRY_AFTER = new ThreadLocal<>();

  /** The failure the outage answers this request with, or null when there is no outage now. */
  private static Failure outageFailure(boolean dispatch) {
    Outage o = outage;
    if (o == null || System.nanoTime() - o.untilNanos() >= 0) {
      return null;
    }
    Map<String, String> wait = Map.of("Retry-After", Integer.toString(o.retryAfterSeconds()));
    String limited =
        "{\"message\":\"You have exceeded a secondary rate limit. Please wait a few minutes before"
            + " you try again.\",\"documentation_url\":\"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api\",\"status\":\"429\"}";
    String unavailable =
        "{\"message\":\"Service Unavailable\",\"documentation_url\":\"https://docs.github.com/rest\",\"status\":\"503\"}";
    if (dispatch) {
      return switch (OUTAGE_DISPATCHES.getAndIncrement() % 3) {
        case 0 -> new Failure(503, Map.of(), unavailable, false);
        case 1 -> new Failure(429, wait, limited, false);
        default -> new Failure(502, Map.of(), "{\"message\":\"Server Error\"}", true);
      };
    }
    return switch (OUTAGE_LOOKUPS.getAndIncrement() % 3) {
      case 0 -> new Failure(503, Map.of(), unavailable, false);
      case 1 -> new Failure(DROP, Map.of(), "", false);
      default -> new Failure(429, wait, limited, false);
    };
  }

  private static Integer retryAfter(Failure f) {
    String v = f.headers().get("Retry-After");
    return v == null ? null : Integer.valueOf(v);
  }

  private static int arrived(
      String kind, int status, Failure f, boolean createdRun, JsonNode body) {
    ARRIVALS.add(new Arrival(kind, System.nanoTime(), status, retryAfter(f), createdRun, body));
    return status;
  }

  /** Answers as scripted, or closes the connection without an answer. */
  private static int scripted(HttpExchange ex, Failure f) throws IOException {
    recordAnswer(f.status());
    if (f.status() == DROP) {
      // the exchange is closed (by handle) before any answer: the JDK server then closes the
      // connection, and the client gets an I/O error
      return DROP;
    }
    byte[] bytes = f.body().getBytes(StandardCharsets.UTF_8);
    f.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    ex.sendResponseHeaders(f.status(), bytes.length);
    ex.getResponseBody().write(bytes);
    return f.status();
  }

  /** {@code POST /app/installations/{id}/access_tokens}, authenticated by the App's JWT. */
  private static int installationToken(HttpExchange ex, String installation, String auth)
      throws IOException {
    String jwt = auth.startsWith("Bearer ") ? auth.substring(7) : "";
    String issuer;
    try {
      issuer = com.auth0.jwt.JWT.decode(jwt).getIssuer();
    } catch (com.auth0.jwt.exceptions.JWTDecodeException e) {
      return json(
          ex,
          401,
          error("A JSON web token could not be decoded", "https://docs.github.com/rest", 401),
          Map.of());
    }
    java.security.interfaces.RSAPublicKey key = APPS.get(issuer + "/" + installation);
    if (key == null) {
      return notFound(ex);
    }
    try {
      com.auth0
          .jwt
          .JWT
          .require(com.auth0.jwt.algorithms.Algorithm.RSA256(key, null))
          .withIssuer(issuer)
          .build()
          .verify(jwt);
    } catch (com.auth0.jwt.exceptions.JWTVerificationException e) {
      return json(
          ex,
          401,
          error(
              "'Expiration time' claim ('exp') or signature is invalid: " + e.getMessage(),
              "https://docs.github.com/rest",
              401),
          Map.of());
    }
    String token = "ghs_" + java.util.UUID.randomUUID().toString().replace("-", "");
    TOKENS.add(token);
    ObjectNode body = JSON.createObjectNode();
    body.put("token", token);
    body.put("expires_at", java.time.Instant.now().plusSeconds(3600).toString());
    return json(ex, 201, body, Map.of());
  }

  private static boolean known(String repo, String workflow) {
    return WORKFLOWS.contains(repo + "|" + workflow) || WORKFLOWS.contains("*|" + workflow);
  }

  private static String key(String repo, String workflow) {
    return repo + "|" + workflow;
  }

  private static int notFound(HttpExchange ex) throws IOException {
    return json(
        ex,
        404,
        error(
            "Not Found",
            "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event",
            404),
        Map.of());
  }

  private static ObjectNode error(String message, String doc, int status) {
    ObjectNode n = JSON.createObjectNode();
    n.put("message", message);
    n.put("documentation_url", doc);
    n.put("status", Integer.toString(status));
    return n;
  }

  private static int json(HttpExchange ex, int status, JsonNode body, Map<String, String> headers)
      throws IOException {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    recordAnswer(status);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    return status;
  }

  private static int text(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
    recordAnswer(status);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
    return status;
  }
}
