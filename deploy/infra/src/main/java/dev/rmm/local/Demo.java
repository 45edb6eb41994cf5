package dev.rmm.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Plays a GitHub pipeline against the running local stack: a release of the service {@code demo}
 * walks through stage build, rollback rehearsal and manual testing, waits for its approvals (from
 * Telegram when the bot is connected, or the curl commands it prints, or {@code --approve} to send
 * them itself), then reports the production deploy and prints the timeline.
 */
public final class Demo {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String api;
  private final String token;

  private Demo(String api, String token) {
    this.api = api;
    this.token = token;
  }

  public static void main(String[] args) throws Exception {
    boolean approve = List.of(args).contains("--approve");
    int port = Integer.parseInt(System.getenv().getOrDefault("RMM_API_PORT", "8081"));
    Path tokenFile = Path.of(".rmm/dev-token");
    if (!Files.isRegularFile(tokenFile)) {
      System.err.println("No .rmm/dev-token: start the stack first (deploy/local/start).");
      System.exit(2);
    }
    Demo demo =
        new Demo("http://127.0.0.1:" + port + "/api/v1", Files.readString(tokenFile).strip());
    try {
      demo.play(approve);
    } catch (IOException e) {
      System.err.println(
          "release-api at 127.0.0.1:"
              + port
              + " does not answer ("
              + e.getMessage()
              + "): is the stack running? deploy/local/start");
      System.exit(1);
    }
  }

  private void play(boolean approve) throws Exception {
    String tag = "v1.0." + (Instant.now().getEpochSecond() % 100_000);
    String run = Long.toString(Instant.now().toEpochMilli());
    System.out.println(
        "A tag " + tag + " was pushed to acme/demo; the pipeline creates the release:");
    JsonNode created =
        send(
            "POST",
            "/releases",
            "{\"service\":\"demo\",\"tag\":\""
                + tag
                + "\",\"initiator\":\"octocat\",\"github_run_id\":\""
                + run
                + "\",\"github_run_link\":\"https://github.com/acme/demo/actions/runs/"
                + run
                + "\",\"ref\":\"refs/tags/"
                + tag
                + "\",\"repository\":\"acme/demo\",\"commit_sha\":\"0123abc\"}");
    String id = created.path("release_id").asText();
    System.out.println("  release " + id + ": " + created.path("status").asText());
    for (String step : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      Thread.sleep(1500);
      report(id, step);
    }
    System.out.println();
    System.out.println(
        "The team is asked to approve (Telegram shows the card when the bot is connected).");
    if (approve) {
      for (String user : List.of("1001", "1002")) {
        Thread.sleep(1000);
        JsonNode a =
            send("POST", "/releases/" + id + "/approvals", "{\"telegram_user_id\":" + user + "}");
        System.out.println(
            "  approved by "
                + user
                + ": "
                + a.path("approved_list").size()
                + " of "
                + a.path("quorum").asInt(2)
                + ", "
                + a.path("status").asText());
      }
    } else {
      System.out.println("Approve it in Telegram, or as the demo approvers with:");
      for (String user : List.of("1001", "1002")) {
        System.out.println(
            "  curl -s -X POST "
                + api
                + "/releases/"
                + id
                + "/approvals -H \"Authorization: Bearer"
                + " $(cat .rmm/dev-token)\" -H 'Content-Type: application/json' -d"
                + " '{\"telegram_user_id\":"
                + user
                + "}'");
      }
      System.out.println("Waiting for the approvals (Ctrl-C to stop) ...");
      while (!"manual_test_passed".equals(status(id))) {
        if ("manual_test_failed".equals(status(id))) {
          System.out.println(
              "  rejected: "
                  + send("GET", "/releases/" + id, null).path("rejection_reason").asText());
          return;
        }
        Thread.sleep(2000);
      }
    }
    System.out.println();
    Thread.sleep(1500);
    JsonNode dispatch = send("GET", "/releases/" + id, null).path("dispatch");
    System.out.println(
        "The orchestrator's dispatch of the production workflow: "
            + (dispatch.isObject()
                ? dispatch.path("outcome").asText("under way")
                    + " "
                    + dispatch.path("detail").asText("")
                : "not yet recorded"));
    System.out.println("The production workflow reports its steps:");
    for (String step : List.of("deploying", "deployed")) {
      Thread.sleep(1500);
      report(id, step);
    }
    System.out.println();
    System.out.println("The timeline (GET /releases/" + id + "/timeline):");
    Thread.sleep(500);
    for (JsonNode e : send("GET", "/releases/" + id + "/timeline", null).path("events")) {
      System.out.printf(
          "  %2d %-32s %s %s%n",
          e.path("sequence").asInt(),
          e.path("type").asText(),
          e.at("/actor/kind").asText(),
          e.at("/actor/name").asText());
    }
  }

  private void report(String id, String status) throws Exception {
    JsonNode r = send("POST", "/releases/" + id + "/steps", "{\"status\":\"" + status + "\"}");
    System.out.println("  reported " + status + " -> version " + r.path("version").asLong());
  }

  private String status(String id) throws Exception {
    return send("GET", "/releases/" + id, null).path("status").asText();
  }

  private JsonNode send(String method, String path, String body) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(api + path))
            .timeout(Duration.ofSeconds(15))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json");
    b.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404 && method.equals("GET")) {
      Thread.sleep(300); // the read model follows the log by a few milliseconds
      r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
    if (r.statusCode() >= 300) {
      throw new IllegalStateException(
          method + " " + path + " answered " + r.statusCode() + ": " + r.body());
    }
    return JSON.readTree(r.body());
  }
}
