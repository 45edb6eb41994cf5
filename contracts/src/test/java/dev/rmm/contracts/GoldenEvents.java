package dev.rmm.contracts;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.ReleaseEvent.ActionRefused;
import dev.rmm.contracts.ReleaseEvent.ApprovalGranted;
import dev.rmm.contracts.ReleaseEvent.ApprovalQuorumReached;
import dev.rmm.contracts.ReleaseEvent.ApprovalsVoided;
import dev.rmm.contracts.ReleaseEvent.BreakGlassConfirmed;
import dev.rmm.contracts.ReleaseEvent.BreakGlassExpired;
import dev.rmm.contracts.ReleaseEvent.BreakGlassRequested;
import dev.rmm.contracts.ReleaseEvent.DispatchFailed;
import dev.rmm.contracts.ReleaseEvent.DispatchRetryRequested;
import dev.rmm.contracts.ReleaseEvent.DispatchStarted;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.ReleaseEvent.ReleaseCancelled;
import dev.rmm.contracts.ReleaseEvent.ReleaseCreated;
import dev.rmm.contracts.ReleaseEvent.ReleaseRejected;
import dev.rmm.contracts.ReleaseEvent.ReleaseSuperseded;
import dev.rmm.contracts.ReleaseEvent.RollbackRequested;
import dev.rmm.contracts.ReleaseEvent.RunbookFinished;
import dev.rmm.contracts.ReleaseEvent.RunbookStarted;
import dev.rmm.contracts.ReleaseEvent.RunbookStep;
import dev.rmm.contracts.ReleaseEvent.StatusChanged;
import dev.rmm.contracts.ReleaseEvent.WorkflowDispatched;
import dev.rmm.contracts.audit.EventChain;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One fixed envelope per event type, with fixed ids and times: what {@code
 * src/test/resources/golden/<type>.json} holds. A new event type needs an envelope here and a
 * golden file there.
 */
final class GoldenEvents {

  static final String RELEASE = "462256a1-be4c-301a-80b8-67f6ab660614";
  static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private static final long BOB = 5012345678L;
  private static final long CAROL = 5087654321L;
  private static final long OLGA = 6000000001L;
  private static final long PETR = 6000000002L;
  private static final String DISPATCH = "d-462256a1-be4c-301a-80b8-67f6ab660614";
  private static final String RUN = "rb-462256a1-be4c-301a-80b8-67f6ab660614";
  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator", "deploy-orchestrator");
  private static final Actor PIPELINE = Actor.github("acme/name-authorization", "alice-gh");

  static final List<EventEnvelope> ALL =
      List.of(
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a01",
              1,
              "2026-03-14T09:26:53.589Z",
              PIPELINE,
              TRACE,
              new ReleaseCreated(
                  new ReleaseSpec(
                      "name-authorization",
                      "v1.2.3",
                      "alice-gh",
                      "9001",
                      "https://github.com/acme/name-authorization/actions/runs/9001",
                      "refs/tags/v1.2.3",
                      "acme/name-authorization",
                      "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e"),
                  new ApprovalPolicy(
                      List.of(
                          new Approver(BOB, "Bob", "bob-gh"), new Approver(CAROL, "Carol", null)),
                      2,
                      false,
                      List.of(OLGA)))),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a04",
              4,
              "2026-03-14T09:41:07Z",
              PIPELINE,
              TRACE,
              new StatusChanged(
                  ReleaseStatus.STAGE_TEST_ROLLBACK,
                  ReleaseStatus.MANUAL_TESTING,
                  "rollback rehearsal to v1.2.2 passed")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a05",
              5,
              "2026-03-14T10:02:11.250Z",
              Actor.telegram(BOB, "Bob"),
              null,
              new ApprovalGranted(BOB, "Bob", 1, 2)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a07",
              7,
              "2026-03-14T10:05:42.001Z",
              Actor.telegram(CAROL, "Carol"),
              null,
              new ApprovalQuorumReached(List.of(BOB, CAROL))),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a17",
              6,
              "2026-03-14T10:03:00Z",
              Actor.telegram(CAROL, "Carol"),
              TRACE,
              new ReleaseRejected(CAROL, "Carol", "login page returns 500 after the upgrade")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a12",
              12,
              "2026-03-15T08:00:00Z",
              Actor.telegram(OLGA, "Olga"),
              TRACE,
              new RollbackRequested(OLGA, "Olga", "v1.2.2")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a21",
              3,
              "2026-03-14T09:30:00Z",
              Actor.system("release-api"),
              null,
              new ReleaseCancelled(ReleaseStatus.STAGE_TEST_ROLLBACK, "superseded by v1.2.4")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a08",
              8,
              "2026-03-14T10:06:30Z",
              Actor.telegram(OLGA, "Olga"),
              TRACE,
              new ActionRefused(
                  "approve",
                  "stale",
                  "the card showed version 4 but the release has since become manual_test_passed"
                      + " (version 7)")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a09",
              8,
              "2026-03-14T10:05:42.120Z",
              ORCHESTRATOR,
              TRACE,
              new DispatchStarted(
                  DISPATCH, "acme/name-authorization", "deploy-production.yml", "main")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a10",
              9,
              "2026-03-14T10:05:42.480Z",
              ORCHESTRATOR,
              TRACE,
              new WorkflowDispatched(DISPATCH, 204, 1)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a11",
              9,
              "2026-03-14T10:05:43Z",
              ORCHESTRATOR,
              TRACE,
              new DispatchFailed(
                  DISPATCH,
                  404,
                  "Not Found: workflow deploy-production.yml does not exist in"
                      + " acme/name-authorization",
                  1)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a13",
              13,
              "2026-03-15T08:00:01Z",
              ORCHESTRATOR,
              TRACE,
              new RunbookStarted(RUN, "prod-1.acme.internal:22", "v1.2.2")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a14",
              14,
              "2026-03-15T08:00:09.250Z",
              ORCHESTRATOR,
              TRACE,
              new RunbookStep(
                  RUN,
                  "migrations",
                  "cd /srv/name-authorization && ./migrate down v1.2.2",
                  0,
                  8123,
                  "Rolled back 2 migrations\nAt revision 0042 (v1.2.2)",
                  true)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a15",
              18,
              "2026-03-15T08:01:40Z",
              ORCHESTRATOR,
              TRACE,
              new RunbookFinished(RUN, false, "health", "health check failed 5 times: exit 22")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a23",
              6,
              "2026-03-14T10:04:30Z",
              PIPELINE,
              TRACE,
              new ApprovalsVoided(
                  "v1.2.3",
                  "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
                  "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d",
                  List.of(BOB),
                  "the pipeline reported manual_testing with commit"
                      + " 9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d for tag v1.2.3, which was"
                      + " 3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e; the 1 approval(s) given for the"
                      + " old commit are void")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a22",
              6,
              "2026-03-14T09:41:07.500Z",
              ORCHESTRATOR,
              TRACE,
              new ReleaseSuperseded(
                  ReleaseStatus.MANUAL_TESTING, "7d0c4b1e-5a8f-3e2d-9c6b-1f0e2d3c4b5a", "v1.2.4")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a23",
              10,
              "2026-03-14T10:20:00Z",
              Actor.telegram(OLGA, "Olga"),
              TRACE,
              new DispatchRetryRequested(OLGA, "Olga", DISPATCH, 3L)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a24",
              6,
              "2026-03-14T09:50:00Z",
              Actor.telegram(OLGA, "Olga"),
              TRACE,
              new BreakGlassRequested(
                  OLGA,
                  "Olga",
                  "payments are down; the fix is tested on stage",
                  "v1.2.3",
                  "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
                  Instant.parse("2026-03-14T10:05:00Z"),
                  3L)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a25",
              7,
              "2026-03-14T09:54:12Z",
              Actor.telegram(PETR, "Petr"),
              TRACE,
              new BreakGlassConfirmed(
                  OLGA,
                  "Olga",
                  PETR,
                  "Petr",
                  "payments are down; the fix is tested on stage",
                  "v1.2.3",
                  "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e",
                  3L)),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a26",
              7,
              "2026-03-14T10:07:30Z",
              Actor.telegram(PETR, "Petr"),
              TRACE,
              new BreakGlassExpired(
                  OLGA,
                  "Olga",
                  Instant.parse("2026-03-14T10:05:00Z"),
                  "Petr confirmed at 2026-03-14T10:07:30Z, after the request lapsed")),
          envelope(
              "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a27",
              8,
              "2026-03-13T17:00:00.250Z",
              ORCHESTRATOR,
              TRACE,
              new ReleaseEvent.DispatchHeld(
                  Instant.parse("2026-03-16T06:00:00Z"), "no deploys over the weekend", 3L)),
          policyEnvelope());

  static final Map<String, EventEnvelope> BY_TYPE =
      ALL.stream().collect(Collectors.toMap(EventEnvelope::type, Function.identity()));

  private GoldenEvents() {}

  /** The policy topic's chain: its own subject, its version 2 after the first policy. */
  static EventEnvelope policyEnvelope() {
    ApprovalPolicy billing =
        new ApprovalPolicy(
            List.of(new Approver(BOB, "Bob", "bob-gh"), new Approver(CAROL, "Carol", null)),
            1,
            false,
            List.of(OLGA));
    return new EventEnvelope(
        "0b9c7e1a-3f52-4c1e-9d7a-2f1e8c6b5a20",
        PolicyChanged.SUBJECT,
        2,
        Instant.parse("2026-03-16T07:30:00Z"),
        new Actor(Actor.Kind.SYSTEM, "release-api@rmm-1", "release-api on rmm-1"),
        null,
        null,
        null,
        EventChain.hash("stored policy event 1".getBytes(UTF_8)),
        new PolicyChanged(
            Map.of(
                "billing",
                new PolicyChanged.Service(
                    billing,
                    "acme/billing",
                    List.of("acme/billing/.github/workflows/release.yml@refs/tags/*"))),
            new ApprovalPolicy(List.of(new Approver(CAROL, "Carol", null)), 1, false, List.of()),
            List.of("billing"),
            "/etc/rmm/policy.json",
            "5b0a1c2e9d3f4b6a8c7e0d1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d",
            "Olga: Dave left the team",
            "root"));
  }

  private static EventEnvelope envelope(
      String id, long sequence, String time, Actor actor, String traceparent, ReleaseEvent data) {
    return new EventEnvelope(
        id,
        RELEASE,
        sequence,
        Instant.parse(time),
        actor,
        "corr-" + RELEASE,
        traceparent == null ? null : "req-" + id.substring(id.length() - 4),
        traceparent,
        sequence == 1
            ? EventChain.GENESIS
            : EventChain.hash(("stored event " + (sequence - 1)).getBytes(UTF_8)),
        data);
  }
}
