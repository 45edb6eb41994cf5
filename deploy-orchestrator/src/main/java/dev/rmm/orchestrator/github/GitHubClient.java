package dev.rmm.orchestrator.github;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.EventCodec;
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
import org.jboss.logging.Logger;

/**
 * The two GitHub REST calls the orchestrator makes, following GitHub's rules: every request has a
 * User-Agent, {@code Accept: application/vnd.github+json}, the API version header and a bearer
 * token. A dispatch is answered 204 No Content. 5xx, 429 and rate-limit 403s are retried after
 * {@code Retry-After} (or until {@code x-ratelimit-reset}, else with doubling backoff); any other
 * 4xx is final and reported with GitHub's message.
 */
public final class GitHubClient {

  private static final Logger LOG = Logger.getLogger(GitHubClient.class);
  private static final String API_VERSION = "2022-11-28";

  /** How a dispatch ended: GitHub's last status and message, and how many requests it took. */
  public record Outcome(boolean dispatched, int status, String detail, int attempts) {}

  /** Waits between attempts (a test records the waits instead). */
  public interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  /** Retry settings. */
  public record Retries(int maxAttempts, Duration firstBackoff, Duration maxBackoff) {}

  private final HttpClient http;
  private final String api;
  private final String userAgent;
  private final Duration timeout;
  private final Retries retries;
  private final Sleeper sleeper;

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
   * "inputs"}}.
   */
  public Outcome dispatch(GitHubTarget target, Map<String, String> inputs) {
    ObjectNode body = EventCodec.mapper().createObjectNode();
    body.put("ref", target.ref());
    ObjectNode in = body.putObject("inputs");
    inputs.forEach(in::put);
    URI uri = workflowUri(target, "/dispatches");
    Duration backoff = retries.firstBackoff();
    int status = 0;
    String detail = null;
    for (int attempt = 1; attempt <= retries.maxAttempts(); attempt++) {
      Duration wait;
      try {
        HttpResponse<String> r =
            http.send(
                request(uri, target.credentials().token())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        status = r.statusCode();
        detail = message(r.body());
        if (status == 204 || status == 200) {
          return new Outcome(true, status, null, attempt);
        }
        Optional<Duration> limited = rateLimitWait(r);
        if (status >= 500 || limited.isPresent()) {
          wait = limited.orElse(backoff);
        } else {
          LOG.warnf("GitHub refused the dispatch of %s: %d %s", target, status, detail);
          return new Outcome(false, status, detail, attempt);
        }
        LOG.warnf(
            "GitHub answered %d to the dispatch of %s (attempt %d): %s; retrying in %d ms",
            status, target, attempt, detail, wait.toMillis());
      } catch (Credentials.AuthException e) {
        status = e.status();
        detail = e.getMessage();
        if (status != 0 && status < 500) {
          LOG.warnf("No GitHub token for %s: %s", target, detail);
          return new Outcome(false, status, detail, attempt);
        }
        wait = backoff;
      } catch (IOException e) {
        status = 0;
        detail = "GitHub unreachable: " + e.getMessage();
        wait = backoff;
        LOG.warnf(
            "Dispatching %s failed (attempt %d): %s; retrying in %d ms",
            target, attempt, e.getMessage(), wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(false, status, "interrupted", attempt);
      }
      if (attempt == retries.maxAttempts()) {
        break;
      }
      try {
        sleeper.sleep(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(false, status, "interrupted", attempt);
      }
      backoff = min(backoff.multipliedBy(2), retries.maxBackoff());
    }
    return new Outcome(
        false,
        status,
        "gave up after "
            + retries.maxAttempts()
            + " attempts; last answer: "
            + status
            + " "
            + detail,
        retries.maxAttempts());
  }

  /**
   * The id of a run of the workflow whose title carries {@code marker} (the dispatch id, which the
   * workflow puts in its {@code run-name}), among the newest dispatched runs; empty when there is
   * none or GitHub cannot be asked.
   */
  public Optional<Long> findRun(GitHubTarget target, String marker) {
    URI uri = workflowUri(target, "/runs?event=workflow_dispatch&per_page=100");
    try {
      HttpResponse<String> r =
          http.send(
              request(uri, target.credentials().token()).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        LOG.warnf("Listing the runs of %s: %d %s", target, r.statusCode(), message(r.body()));
        return Optional.empty();
      }
      for (JsonNode run : EventCodec.mapper().readTree(r.body()).path("workflow_runs")) {
        String title = run.path("display_title").asText("") + " " + run.path("name").asText("");
        if (title.contains(marker)) {
          return Optional.of(run.path("id").asLong());
        }
      }
      return Optional.empty();
    } catch (IOException | Credentials.AuthException e) {
      LOG.warnf("Listing the runs of %s failed: %s", target, e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
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
