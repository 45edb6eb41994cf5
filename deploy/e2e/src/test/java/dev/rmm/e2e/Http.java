package dev.rmm.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A tiny JSON client for release-api, as a pipeline's curl would use it. */
final class Http {

  /** A status code and the parsed JSON body. */
  record Answer(int status, JsonNode body, String contentType) {}

  private final HttpClient client = HttpClient.newHttpClient();
  private final String base;
  private final String token;

  Http(String base, String token) {
    this.base = base;
    this.token = token;
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  Answer post(String path, String json) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /** A POST from a caller that is itself traced: it sends its W3C {@code traceparent}. */
  Answer post(String path, String json, String traceparent) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .header("traceparent", traceparent)
            .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  private Answer send(HttpRequest.Builder b) {
    try {
      HttpResponse<String> r =
          client.send(
              b.header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(15)).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = r.body().isEmpty() ? null : EventCodec.mapper().readTree(r.body());
      return new Answer(r.statusCode(), body, r.headers().firstValue("Content-Type").orElse(""));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String createBody(String service, String tag, String runId) {
    return "{\"service\":\""
        + service
        + "\",\"tag\":\""
        + tag
        + "\",\"initiator\":\"octocat\",\"github_run_id\":\""
        + runId
        + "\",\"github_run_link\":\"https://github.com/acme/"
        + service
        + "/actions/runs/"
        + runId
        + "\",\"ref\":\"refs/tags/"
        + tag
        + "\",\"repository\":\"acme/"
        + service
        + "\",\"commit_sha\":\"3f2c1a9\"}";
  }

  static String step(String status) {
    return "{\"status\":\"" + status + "\"}";
  }
}
