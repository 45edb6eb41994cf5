package dev.rmm.api.fuzz;

import static dev.rmm.api.fuzz.RequestHarness.SPEC;
import static dev.rmm.api.fuzz.RequestHarness.bind;
import static dev.rmm.api.fuzz.RequestHarness.bindTree;
import static dev.rmm.api.fuzz.RequestHarness.request;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rmm.api.auth.Caller;
import dev.rmm.api.legacy.LegacyReleaseResource;
import dev.rmm.api.release.ActionRequests;
import dev.rmm.api.release.CreateReleaseRequest;
import dev.rmm.api.release.RequestCommands;
import dev.rmm.api.release.StepRequest;

/**
 * Fuzzes the bodies of the API's write endpoints through {@link RequestHarness}: any bytes end as a
 * command the decider handles, a 400, or a 4xx problem, and nothing unloggable is ever decided. The
 * seed corpora are under src/test/resources/dev/rmm/api/fuzz/HttpBodyFuzzTestInputs; a normal build
 * replays them, {@code deploy/fuzz/run} fuzzes.
 */
class HttpBodyFuzzTest {

  private static final Caller PIPELINE = new Caller("acme/billing");
  private static final Caller ADMIN = new Caller(Caller.ANY);

  /** {@code POST /api/v1/releases}, by the repository's token and by the admin token. */
  @FuzzTest(maxDuration = "30m")
  void createBody(byte[] body) {
    for (Caller caller : new Caller[] {PIPELINE, ADMIN}) {
      request(
          () ->
              RequestCommands.create(
                  requireBody(bind(body, CreateReleaseRequest.class)),
                  caller,
                  RequestHarness.POLICIES));
    }
  }

  /** {@code POST /api/v1/releases/{id}/steps}. */
  @FuzzTest(maxDuration = "30m")
  void stepBody(byte[] body) {
    for (Caller caller : new Caller[] {PIPELINE, ADMIN}) {
      request(
          () ->
              RequestCommands.step(
                  SPEC.releaseId(), requireBody(bind(body, StepRequest.class)), caller));
    }
  }

  /** The admin actions: approvals, rejections, rollback and cancel, each given the same bytes. */
  @FuzzTest(maxDuration = "30m")
  void actionBodies(byte[] body) {
    String id = SPEC.releaseId();
    request(() -> RequestCommands.approve(id, bind(body, ActionRequests.Approval.class)));
    request(() -> RequestCommands.reject(id, bind(body, ActionRequests.Rejection.class)));
    request(() -> RequestCommands.rollback(id, bind(body, ActionRequests.Rollback.class)));
    request(() -> RequestCommands.cancel(id, bind(body, ActionRequests.Cancellation.class)));
  }

  /** The original system's {@code POST /release} and {@code PATCH /release}. */
  @FuzzTest(maxDuration = "30m")
  void legacyBody(byte[] body) {
    for (Caller caller : new Caller[] {PIPELINE, ADMIN}) {
      request(
          () ->
              RequestCommands.create(
                  LegacyReleaseResource.createRequest(bindTree(body), caller),
                  caller,
                  RequestHarness.POLICIES));
      request(
          () -> {
            LegacyReleaseResource.Update u = LegacyReleaseResource.update(bindTree(body));
            return RequestCommands.step(u.releaseId(), u.step(), caller);
          });
    }
  }

  /** What the resources do with a missing body. */
  private static <T> T requireBody(T body) {
    if (body == null) {
      throw dev.rmm.api.problem.InvalidRequestException.validation("a JSON body is required");
    }
    return body;
  }
}
