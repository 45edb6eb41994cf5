package dev.rmm.orchestrator.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ops.FloodWait;
import dev.rmm.orchestrator.dispatch.Workflows;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The two GitHub REST calls the orchestrator makes, following GitHub's rules: every request has a
 * User-Agent, {@code Accept: application/vnd.github+json}, the API version header and a bearer
 * token. A dispatch is answered 204 No Content; 429 and rate-limit 403s (GitHub's primary and
 * secondary limits) are retried after {@code Retry-After} (or until {@code x-ratelimit-reset}, else
 * with doubling backoff); any other 4xx is final and reported with GitHub's message.
 *
 * <p>Exactly once: a 5xx or a lost answer may come after GitHub created the run, so the dispatch is
 * sent again only after GitHub has definitely listed no run carrying its id ({@link #settle}). A
 * run lookup that fails (404, 5xx, 429, no answer) proves nothing: it is retried with backoff, and
 * if it keeps failing the dispatch ends as unknown, for a person to check, rather than being sent
 * twice. Both keep trying for at least {@link Retries#retryFor()} (in waits), so an outage of
 * GitHub shorter than that only delays the deploy.
 */
public final class GitHubClient implements Workflows {

  private static final Logger LOG = Logger.getLogger(GitHubClient.class);
  private static final String API_VERSION = "2022-11-28";
  private static final Duration LOOK_AGAIN = Duration.ofSeconds(3);

  /** How a dispatch ended: GitHub's last status and message, and how many requests it took. */
  public record Outcome(boolean dispatched, int status, String detail, int attempts) {}

  /** Waits between attempts (a test records the waits instead). */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;

    /**
     * A backoff after a failure: {@link #sleep} unless GitHub may be back, which {@code back} says
     * as soon as another request got an answer ({@link #REAL_TIME} ends the wait then).
     */
    default void backoff(Duration d, Recovery back) throws InterruptedException {
      sleep(d);
    }
  }

  /** Waits in real time; a backoff ends early once GitHub answered another request. */
  public static final Sleeper REAL_TIME =
      new Sleeper() {
        @Override
        public void sleep(Duration d) throws InterruptedException {
          FloodWait.sleep(d);
        }

        @Override
        public void backoff(Duration d, Recovery back) throws InterruptedException {
          back.await(d);
        }
      };

  /**
   * Whether GitHub answered a request since a backoff began (found by the chaos harness's GitHub
   * outage, F15 in docs/reliability.md: a dispatch slept out a 32 s backoff begun just before
   * GitHub came back while the other services' dispatches went through, and its release went out
   * half a minute late). Only a good answer counts (a dispatch accepted, runs listed); the request
   * woken still waits out a rate limit first ({@link #limit}).
   */
  public static final class Recovery {
    private long answers; // guarded by this

    synchronized void answered() {
      answers++;
      notifyAll();
    }

    /** Waits {@code d}, or less once another request got a good answer meanwhile. */
    synchronized void await(Duration d) throws InterruptedException {
      long seen = answers;
      long end = System.nanoTime() + d.toNanos();
      for (long left = d.toNanos(); answers == seen && left > 0; left = end - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }
  }

  /**
   * Retry settings.
   *
   * @param maxAttempts dispatch requests at most, and failed run lookups in a row at most once the
   *     lookup window is over
   * @param runLookup how long a dispatch that may have reached GitHub is looked for before it
   *     counts as not dispatched (GitHub lists a new run a few seconds after accepting its
   *     dispatch)
   * @param retryFor how long, in waits, a dispatch and the lookup of its run keep being retried
   *     through failures at the least, even past {@code maxAttempts}: an outage of GitHub shorter
   *     than this only delays the deploy, it needs no person
   */
  public record Retries(
      int maxAttempts,
      Duration firstBackoff,
      Duration maxBackoff,
      Duration runLookup,
      Duration retryFor) {

    /** Retries bounded by {@code maxAttempts} alone. */
    public Retries(
        int maxAttempts, Duration firstBackoff, Duration maxBackoff, Duration runLookup) {
      this(maxAttempts, firstBackoff, maxBackoff, runLookup, Duration.ZERO);
    }

    /** Whether to give up after {@code attempts} failures that waited {@code waited} in all. */
    boolean exhausted(int attempts, Duration waited) {
      return attempts >= maxAttempts && waited.compareTo(retryFor) >= 0;
    }
  }

  /** What one dispatch request did. */
  private sealed interface Post {
    /** GitHub has the dispatch. */
    record Accepted(int status) implements Post {}

    /** GitHub refused it for good (a 4xx that is not a rate limit). */
    record Refused(int status, String detail) implements Post {}

    /** GitHub did not take it (rate limit, no connection, no token yet): safe to send again. */
    record NotTaken(int status, String detail, Optional<Duration> retryAfter) implements Post {}

    /** A 5xx or a lost answer: GitHub may have created the run. */
    record Unsure(int status, String detail) implements Post {}
  }

  private final HttpClient http;
  private final String api;
  private final String userAgent;
  private final Duration timeout;
  private final Retries retries;
  private final Sleeper sleeper;

  /**
   * GitHub's rate limits hold every request of the client, whichever dispatch or lookup got the
   * 429: its dispatch workers (one per service) would otherwise go on calling while GitHub asked to
   * wait (the limits count per token or App installation; one gate for all of them errs on the side
   * of waiting).
   */
  private final FloodWait limit = new FloodWait();

  private final Recovery recovery = new Recovery();

  /** The deadline of {@link #limit} the calling thread has waited out itself. */
  private final ThreadLocal<Long> waitedOut = new ThreadLocal<>();

  public GitHubClient(
      String apiUrl, String userAgent, Duration timeout, Retries retries, Sleeper sleeper) {
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    this.api = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.userAgent = userAgent;
    this.timeout = timeout;
    this.retries = retries;
    this.sleeper = sleeper;
  }

  /**
   * {@code POST /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches} with {@code {"ref",
   * "inputs"}}; {@code inputs.dispatch_id} is the id the workflow's run title carries.
   */
  @Override
  public Outcome dispatch(GitHubTarget target, Map<String, String> inputs) {
    String marker = inputs.get("dispatch_id");
    Duration backoff = retries.firstBackoff();
    int status = 0;
    String detail = null;
    Duration waited = Duration.ZERO;
    for (int attempt = 1; ; attempt++) {
      Post p = post(target, inputs);
      Duration wait = backoff;
      boolean gitHubsWait = false; // a Retry-After: the backoff is not spent
      if (p instanceof Post.Accepted a) {
        return new Outcome(true, a.status(), null, attempt);
      } else if (p instanceof Post.Refused r) {
        LOG.warnf("GitHub refused the dispatch of %s: %d %s", target, r.status(), r.detail());
        return new Outcome(false, r.status(), r.detail(), attempt);
      } else if (p instanceof Post.NotTaken n) {
        status = n.status();
        detail = n.detail();
        wait = n.retryAfter().orElse(backoff);
        gitHubsWait = n.retryAfter().isPresent();
      } else if (p instanceof Post.Unsure u) {
        status = u.status();
        detail = u.detail();
        LOG.warnf(
            "GitHub answered %d to the dispatch %s of %s (attempt %d): %s; looking for its run"
                + " before sending it again",
            status, marker, target, attempt, detail);
        RunLookup settled = settle(target, marker);
        if (settled instanceof RunLookup.Found f) {
          LOG.infof(
              "Dispatch %s of %s reached GitHub after all (run %d)", marker, target, f.runId());
          return new Outcome(true, 204, null, attempt);
        }
        if (settled instanceof RunLookup.Unknown unknown) {
          return new Outcome(false, unknown.status(), unknown(target, marker, unknown), attempt);
        }
      }
      if (Thread.currentThread().isInterrupted()) {
        return new Outcome(false, status, "interrupted", attempt);
      }
      if (retries.exhausted(attempt, waited)) {
        return new Outcome(
            false,
            status,
            "gave up after "
                + attempt
                + " attempts in "
                + waited.toSeconds()
                + " s; last answer: "
                + status
                + " "
                + detail,
            attempt);
      }
      LOG.warnf(
          "The dispatch of %s did not go through (attempt %d): %d %s; retrying in %d ms",
          target, attempt, status, detail, wait.toMillis());
      if (!pause(wait, !gitHubsWait)) {
        return new Outcome(false, status, "interrupted", attempt);
      }
      waited = waited.plus(wait);
      if (!gitHubsWait) {
        backoff = min(backoff.multipliedBy(2), retries.maxBackoff());
      }
    }
  }

  /**
   * What a person is told when it cannot be known whether a dispatch reached GitHub: where to look
   * and what to do, since rmm does not send it a second time.
   */
  public static String unknown(GitHubTarget target, String marker, RunLookup.Unknown u) {
    return "unknown whether dispatch "
        + marker
        + " reached GitHub: its runs could not be listed ("
        + (u.status() == 0 ? "" : u.status() + " ")
        + u.detail()
        + "); it is not sent again: check the runs of "
        + target
        + " for "
        + marker
        + " and start the workflow by hand if there is none";
  }

  private Post post(GitHubTarget target, Map<String, String> inputs) {
    ObjectNode body = EventCodec.mapper().createObjectNode();
    body.put("ref", target.ref());
    ObjectNode in = body.putObject("inputs");
    inputs.forEach(in::put);
    try {
      awaitLimit();
      HttpResponse<String> r =
          http.send(
              request(workflowUri(target, "/dispatches"), target.credentials().token())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      int status = r.statusCode();
      String detail = message(r.body());
      if (status == 204 || status == 200) {
        recovery.answered();
        return new Post.Accepted(status);
      }
      Optional<Duration> limited = limitedBy(r);
      if (limited.isPresent()) {
        return new Post.NotTaken(status, detail, limited);
      }
      return status >= 500 ? new Post.Unsure(status, detail) : new Post.Refused(status, detail);
    } catch (Credentials.AuthException e) {
      if (e.status() != 0 && e.status() < 500) {
        LOG.warnf("No GitHub token for %s: %s", target, e.getMessage());
        return new Post.Refused(e.status(), e.getMessage());
      }
      return new Post.NotTaken(e.status(), e.getMessage(), Optional.empty());
    } catch (java.net.ConnectException | java.net.http.HttpConnectTimeoutException e) {
      return new Post.NotTaken(0, "GitHub unreachable: " + e.getMessage(), Optional.empty());
    } catch (IOException e) {
      return new Post.Unsure(0, "no answer from GitHub: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Post.NotTaken(0, "interrupted", Optional.empty());
    }
  }

  /**
   * Settles a dispatch that may have reached GitHub: {@link RunLookup.Found} as soon as its run is
   * listed; {@link RunLookup.None} only when GitHub, asked after the lookup window, definitely
   * lists none; {@link RunLookup.Unknown} when the runs could not be listed {@code maxAttempts}
   * times in a row after the window (each failure waits as GitHub asks, else with doubling
   * backoff).
   */
  @Override
  public RunLookup settle(GitHubTarget target, String marker) {
    Duration waited = Duration.ZERO;
    Duration backoff = retries.firstBackoff();
    int failedInARow = 0;
    Duration failingFor = Duration.ZERO; // the waits since the lookups started failing
    while (true) {
      RunLookup r = findRun(target, marker);
      if (r instanceof RunLookup.Found) {
        return r;
      }
      boolean windowOver = waited.compareTo(retries.runLookup()) >= 0;
      Duration wait;
      boolean backoffWait = false;
      if (r instanceof RunLookup.Unknown u) {
        failedInARow++;
        if (windowOver && retries.exhausted(failedInARow, failingFor)) {
          LOG.errorf(
              "Listing the runs of %s failed %d times in a row (last: %d %s): whether dispatch %s"
                  + " reached GitHub is unknown",
              target, failedInARow, u.status(), u.detail(), marker);
          return u;
        }
        if (u.retryAfter().isPresent()) {
          wait = u.retryAfter().get(); // GitHub's own wait: the backoff is not spent
        } else {
          wait = backoff;
          backoffWait = true;
          backoff = min(backoff.multipliedBy(2), retries.maxBackoff());
        }
        LOG.warnf(
            "Listing the runs of %s failed: %d %s; trying again in %d ms",
            target, u.status(), u.detail(), wait.toMillis());
      } else {
        if (windowOver) {
          return r;
        }
        failedInARow = 0;
        failingFor = Duration.ZERO;
        backoff = retries.firstBackoff();
        wait = min(LOOK_AGAIN, retries.runLookup().minus(waited));
      }
      if (!pause(wait, backoffWait)) {
        return new RunLookup.Unknown(0, "interrupted", Optional.empty());
      }
      waited = waited.plus(wait);
      if (failedInARow > 0) {
        failingFor = failingFor.plus(wait);
      }
    }
  }

  /**
   * One look for a run of the workflow whose title carries {@code marker} (the dispatch id, which
   * the workflow puts in its {@code run-name}), among the newest dispatched runs.
   */
  public RunLookup findRun(GitHubTarget target, String marker) {
    URI uri = workflowUri(target, "/runs?event=workflow_dispatch&per_page=100");
    try {
      awaitLimit();
      HttpResponse<String> r =
          http.send(
              request(uri, target.credentials().token()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        return new RunLookup.Unknown(r.statusCode(), message(r.body()), limitedBy(r));
      }
      JsonNode runs = EventCodec.mapper().readTree(r.body()).path("workflow_runs");
      if (!runs.isArray()) {
        return new RunLookup.Unknown(200, "no workflow_runs in GitHub's answer", Optional.empty());
      }
      recovery.answered();
      for (JsonNode run : runs) {
        String title = run.path("display_title").asText("") + " " + run.path("name").asText("");
        if (title.contains(marker)) {
          return new RunLookup.Found(run.path("id").asLong());
        }
      }
      return new RunLookup.None();
    } catch (Credentials.AuthException e) {
      return new RunLookup.Unknown(e.status(), e.getMessage(), Optional.empty());
    } catch (IOException e) {
      return new RunLookup.Unknown(0, "no answer from GitHub: " + e, Optional.empty());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new RunLookup.Unknown(0, "interrupted", Optional.empty());
    }
  }

  /**
   * GitHub's wait for a rate-limited answer, if it is one; it then holds every request of this
   * client ({@link #limit}), and this thread's caller waits it out itself.
   */
  private Optional<Duration> limitedBy(HttpResponse<String> r) {
    Optional<Duration> wait = rateLimitWait(r);
    wait.ifPresent(w -> waitedOut.set(limit.hold(w)));
    return wait;
  }

  /**
   * Before a request: waits out a rate limit that another request got (and this thread has not
   * waited out yet), looking again after each wait, since a request already on its way may have set
   * a later one meanwhile.
   */
  private void awaitLimit() throws InterruptedException {
    Long mine = waitedOut.get();
    for (long deadline = limit.deadline(); mine == null || mine != deadline; ) {
      Duration d = limit.remaining();
      if (d.isZero()) {
        return;
      }
      LOG.infof(
          "A request to GitHub waits %d ms: GitHub asked another request to wait", d.toMillis());
      sleeper.sleep(d);
      mine = deadline;
      waitedOut.set(deadline);
      deadline = limit.deadline();
    }
  }

  /**
   * Waits; a backoff (not GitHub's own wait) ends early once GitHub answered another request. False
   * when interrupted (the orchestrator is stopping).
   */
  private boolean pause(Duration wait, boolean backoff) {
    try {
      if (backoff) {
        sleeper.backoff(wait, recovery);
      } else {
        sleeper.sleep(wait);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** {@code <api>/repos/{owner}/{repo}/actions/workflows/{workflow}<suffix>}. */
  private URI workflowUri(GitHubTarget target, String suffix) {
    return URI.create(
        api
            + "/repos/"
            + target.repository()
            + "/actions/workflows/"
            + URLEncoder.encode(target.workflow(), StandardCharsets.UTF_8)
            + suffix);
  }

  private HttpRequest.Builder request(URI uri, String token) {
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header("Accept", "application/vnd.github+json")
        .header("Authorization", "Bearer " + token)
        .header("X-GitHub-Api-Version", API_VERSION)
        .header("User-Agent", userAgent);
  }

  /**
   * How long GitHub asks to wait: 429, or a 403 with no requests left, is a rate limit; {@code
   * Retry-After} (seconds) wins, else {@code x-ratelimit-reset} (epoch seconds).
   */
  static Optional<Duration> rateLimitWait(HttpResponse<String> r) {
    boolean exhausted =
        r.headers().firstValue("x-ratelimit-remaining").map("0"::equals).orElse(false);
    boolean limited =
        r.statusCode() == 429
            || (r.statusCode() == 403
                && (exhausted || message(r.body()).toLowerCase().contains("rate limit")));
    if (!limited) {
      return Optional.empty();
    }
    Optional<String> after = r.headers().firstValue("Retry-After");
    if (after.isPresent()) {
      try {
        return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(after.get().trim()))));
      } catch (NumberFormatException e) {
        // an HTTP date: fall through to the reset header or a minute
      }
    }
    Optional<String> reset = r.headers().firstValue("x-ratelimit-reset");
    if (reset.isPresent()) {
      try {
        long seconds = Long.parseLong(reset.get().trim()) - Instant.now().getEpochSecond();
        return Optional.of(Duration.ofSeconds(Math.max(1, seconds)));
      } catch (NumberFormatException e) {
        // ignore
      }
    }
    return Optional.of(Duration.ofSeconds(60));
  }

  /** GitHub's {@code message} from an error body, or the body itself. */
  private static String message(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode n = EventCodec.mapper().readTree(body);
      return n.path("message").asText(body);
    } catch (IOException e) {
      return body.length() > 300 ? body.substring(0, 300) : body;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
