package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Releases driven through release-api as a GitHub pipeline (and an admin token) would, and read
 * back from its queries: the steps the end-to-end tests share.
 */
final class Pipeline {

  private final Http api;

  Pipeline(StackExtension stack) {
    this.api = new Http(stack.apiUrl(), stack.apiToken());
  }

  Http api() {
    return api;
  }

  /** Creates a release and reports the stage steps up to manual testing; returns its id. */
  String toManualTesting(String service, String tag, String run) {
    Http.Answer created = api.post("/api/v1/releases", Http.createBody(service, tag, run));
    assertThat(created.status()).as(String.valueOf(created.body())).isIn(200, 201);
    String id = created.body().get("release_id").asText();
    for (String s : List.of("stage_building", "stage_test_rollback", "manual_testing")) {
      step(id, s);
    }
    return id;
  }

  void step(String id, String status) {
    Http.Answer a = api.post("/api/v1/releases/" + id + "/steps", Http.step(status));
    assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(200);
  }

  /** Approvals on behalf of Telegram users (admin token), as the gateway would send them. */
  void approve(String id, long... users) {
    for (long user : users) {
      Http.Answer a =
          api.post(
              "/api/v1/releases/" + id + "/approvals",
              "{\"telegram_user_id\":" + user + ",\"name\":\"u" + user + "\"}");
      assertThat(a.status()).as(String.valueOf(a.body())).isEqualTo(200);
    }
  }

  /** The release as the read model shows it, or a missing node while it is not there. */
  JsonNode release(String id) {
    Http.Answer a = api.get("/api/v1/releases/" + id);
    return a.status() == 200 ? a.body() : NullNode.instance;
  }

  String status(String id) {
    return release(id).path("status").asText(null);
  }

  /** The event types of the release's timeline, in order. */
  List<String> types(String id) {
    List<String> out = new ArrayList<>();
    timeline(id).forEach(e -> out.add(e.path("type").asText()));
    return out;
  }

  long count(String id, String type) {
    return types(id).stream().filter(type::equals).count();
  }

  /** The release's events of one type, in order. */
  List<JsonNode> events(String id, String type) {
    List<JsonNode> out = new ArrayList<>();
    timeline(id)
        .forEach(
            e -> {
              if (e.path("type").asText().equals(type)) {
                out.add(e);
              }
            });
    return out;
  }

  private JsonNode timeline(String id) {
    Http.Answer a = api.get("/api/v1/releases/" + id + "/timeline");
    return a.status() == 200 ? a.body().path("events") : NullNode.instance;
  }
}
