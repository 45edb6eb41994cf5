package dev.rmm.contracts;

import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.CommandCodec.Envelope;
import dev.rmm.contracts.ReleaseCommand.Approve;
import dev.rmm.contracts.ReleaseCommand.CancelRelease;
import dev.rmm.contracts.ReleaseCommand.ConfirmBreakGlass;
import dev.rmm.contracts.ReleaseCommand.CreateRelease;
import dev.rmm.contracts.ReleaseCommand.FinishRunbook;
import dev.rmm.contracts.ReleaseCommand.ForceApprove;
import dev.rmm.contracts.ReleaseCommand.HoldDispatch;
import dev.rmm.contracts.ReleaseCommand.RecordDispatch;
import dev.rmm.contracts.ReleaseCommand.RecordRunbookStep;
import dev.rmm.contracts.ReleaseCommand.Reject;
import dev.rmm.contracts.ReleaseCommand.ReportStep;
import dev.rmm.contracts.ReleaseCommand.RequestRollback;
import dev.rmm.contracts.ReleaseCommand.RetryDispatch;
import dev.rmm.contracts.ReleaseCommand.StartDispatch;
import dev.rmm.contracts.ReleaseCommand.StartRunbook;
import dev.rmm.contracts.ReleaseCommand.SupersedeRelease;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Two fixed envelopes per command type: {@link #FULL} with every optional field filled (the
 * envelope's scope, correlation, trace and deadline, an actor acting on behalf of a person where a
 * sender does that), and {@link #SPARSE} with every optional field empty, as older senders wrote
 * them. {@code src/test/resources/golden-commands/{full,sparse}/<type>.json} hold what the codec
 * wrote for them before it was rebuilt on the type registry, so commands already in Kafka are
 * pinned. A new command type needs an envelope in both maps and a golden file in both folders.
 */
final class GoldenCommands {

  private static final String RELEASE = "462256a1-be4c-301a-80b8-67f6ab660614";
  private static final String TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  private static final String SCOPE = "acme/name-authorization";
  private static final Instant DEADLINE = Instant.parse("2026-03-14T10:02:21.250Z");
  private static final long BOB = 5012345678L;
  private static final long OLGA = 6000000001L;
  private static final long PETR = 6000000002L;
  private static final String DISPATCH = "d-462256a1-be4c-301a-80b8-67f6ab660614";
  private static final String RUN = "rb-462256a1-be4c-301a-80b8-67f6ab660614";
  private static final Actor ORCHESTRATOR =
      new Actor(Actor.Kind.ORCHESTRATOR, "deploy-orchestrator-1", "deploy-orchestrator");
  private static final String NEWER = "7d0c4b1e-5a8f-3e2d-9c6b-1f0e2d3c4b5a";
  private static final Actor PIPELINE = Actor.github(SCOPE, "alice-gh");
  private static final ReleaseSpec SPEC =
      new ReleaseSpec(
          "name-authorization",
          "v1.2.3",
          "alice-gh",
          "9001",
          "https://github.com/acme/name-authorization/actions/runs/9001",
          "refs/tags/v1.2.3",
          SCOPE,
          "3f2c1d0e9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4e");

  /** Every optional field filled. */
  static final Map<String, Envelope> FULL =
      Map.ofEntries(
          full(
              CommandCodec.CREATE,
              new CreateRelease(
                  SPEC,
                  new ApprovalPolicy(
                      List.of(new Approver(BOB, "Bob", "bob-gh"), new Approver(7, "Carol", null)),
                      2,
                      false,
                      List.of(OLGA),
                      true),
                  PIPELINE)),
          full(
              CommandCodec.REPORT_STEP,
              new ReportStep(
                  RELEASE,
                  ReleaseStatus.MANUAL_TESTING,
                  "rollback rehearsal to v1.2.2 passed",
                  PIPELINE)),
          full(
              CommandCodec.APPROVE, new Approve(RELEASE, BOB, 4L, Actor.adminTokenFor(BOB, "Bob"))),
          full(
              CommandCodec.REJECT,
              new Reject(
                  RELEASE,
                  BOB,
                  "login page returns 500 after the upgrade",
                  5L,
                  Actor.telegram(BOB, "Bob"))),
          full(
              CommandCodec.REQUEST_ROLLBACK,
              new RequestRollback(RELEASE, OLGA, "v1.2.2", 12L, Actor.telegram(OLGA, "Olga"))),
          full(
              CommandCodec.CANCEL,
              new CancelRelease(RELEASE, "superseded by v1.2.4", Actor.telegram(OLGA, "Olga"))),
          full(
              CommandCodec.START_DISPATCH,
              new StartDispatch(
                  RELEASE, DISPATCH, SCOPE, "deploy-production.yml", "main", ORCHESTRATOR)),
          full(
              CommandCodec.RECORD_DISPATCH,
              new RecordDispatch(
                  RELEASE,
                  DISPATCH,
                  false,
                  404,
                  "Not Found: workflow deploy-production.yml does not exist",
                  3,
                  ORCHESTRATOR)),
          full(
              CommandCodec.START_RUNBOOK,
              new StartRunbook(RELEASE, RUN, "prod-1.acme.internal:22", ORCHESTRATOR)),
          full(
              CommandCodec.RECORD_RUNBOOK_STEP,
              new RecordRunbookStep(
                  RELEASE,
                  RUN,
                  "migrations",
                  "cd /srv/name-authorization && ./migrate down v1.2.2",
                  0,
                  8123,
                  "Rolled back 2 migrations\nAt revision 0042 (v1.2.2)",
                  true,
                  ORCHESTRATOR)),
          full(
              CommandCodec.FINISH_RUNBOOK,
              new FinishRunbook(
                  RELEASE, RUN, false, "health", "health check failed 5 times", ORCHESTRATOR)),
          full(
              CommandCodec.SUPERSEDE, new SupersedeRelease(RELEASE, NEWER, "v1.2.4", ORCHESTRATOR)),
          full(
              CommandCodec.RETRY_DISPATCH,
              new RetryDispatch(RELEASE, OLGA, 10L, Actor.telegram(OLGA, "Olga"))),
          full(
              CommandCodec.FORCE_APPROVE,
              new ForceApprove(
                  RELEASE,
                  OLGA,
                  "payments are down; the fix is tested on stage",
                  9L,
                  Actor.telegram(OLGA, "Olga"))),
          full(
              CommandCodec.CONFIRM_BREAK_GLASS,
              new ConfirmBreakGlass(RELEASE, PETR, 9L, Actor.telegram(PETR, "Petr"))),
          full(
              CommandCodec.HOLD_DISPATCH,
              new HoldDispatch(
                  RELEASE,
                  Instant.parse("2026-03-16T06:00:00Z"),
                  "no deploys over the weekend",
                  3L,
                  ORCHESTRATOR)),
          full(
              CommandCodec.EXPIRE_BREAK_GLASS,
              new ReleaseCommand.ExpireBreakGlass(
                  RELEASE, Instant.parse("2026-03-14T09:41:53.589Z"), ORCHESTRATOR)));

  /** Every optional field empty: no scope, correlation, trace or deadline; nulls in the command. */
  static final Map<String, Envelope> SPARSE =
      Map.ofEntries(
          sparse(
              CommandCodec.CREATE,
              new CreateRelease(
                  new ReleaseSpec("billing", "v2.0.0", null, "17", null, null, null, null),
                  new ApprovalPolicy(List.of(new Approver(BOB, "Bob", null)), 1, true, List.of()),
                  Actor.github("acme/billing", null))),
          sparse(
              CommandCodec.REPORT_STEP,
              new ReportStep(RELEASE, ReleaseStatus.STAGE_TEST_ROLLBACK, null, PIPELINE)),
          sparse(CommandCodec.APPROVE, new Approve(RELEASE, BOB, null, Actor.telegram(BOB, null))),
          sparse(
              CommandCodec.REJECT,
              new Reject(RELEASE, BOB, null, null, Actor.telegram(BOB, "Bob"))),
          sparse(
              CommandCodec.REQUEST_ROLLBACK,
              new RequestRollback(RELEASE, OLGA, null, null, Actor.telegram(OLGA, "Olga"))),
          sparse(
              CommandCodec.CANCEL, new CancelRelease(RELEASE, null, Actor.system("release-api"))),
          sparse(
              CommandCodec.START_DISPATCH,
              new StartDispatch(RELEASE, DISPATCH, null, null, null, ORCHESTRATOR)),
          sparse(
              CommandCodec.RECORD_DISPATCH,
              new RecordDispatch(RELEASE, DISPATCH, true, 204, null, 1, ORCHESTRATOR)),
          sparse(CommandCodec.START_RUNBOOK, new StartRunbook(RELEASE, RUN, null, ORCHESTRATOR)),
          sparse(
              CommandCodec.RECORD_RUNBOOK_STEP,
              new RecordRunbookStep(RELEASE, RUN, "stop", null, -1, 0, null, false, ORCHESTRATOR)),
          sparse(
              CommandCodec.FINISH_RUNBOOK,
              new FinishRunbook(RELEASE, RUN, true, null, null, ORCHESTRATOR)),
          sparse(
              CommandCodec.SUPERSEDE, new SupersedeRelease(RELEASE, NEWER, "v1.2.4", ORCHESTRATOR)),
          sparse(
              CommandCodec.RETRY_DISPATCH,
              new RetryDispatch(RELEASE, OLGA, null, Actor.telegram(OLGA, null))),
          sparse(
              CommandCodec.FORCE_APPROVE,
              new ForceApprove(RELEASE, OLGA, "hotfix", null, Actor.telegram(OLGA, null))),
          sparse(
              CommandCodec.CONFIRM_BREAK_GLASS,
              new ConfirmBreakGlass(RELEASE, PETR, null, Actor.telegram(PETR, null))),
          sparse(
              CommandCodec.HOLD_DISPATCH,
              new HoldDispatch(
                  RELEASE, Instant.parse("2026-03-16T06:00:00Z"), null, null, ORCHESTRATOR)),
          sparse(
              CommandCodec.EXPIRE_BREAK_GLASS,
              new ReleaseCommand.ExpireBreakGlass(RELEASE, null, ORCHESTRATOR)));

  private GoldenCommands() {}

  /** What the codec writes for the envelope. */
  static byte[] encode(Envelope e) {
    return CommandCodec.encode(
        e.commandId(),
        e.command(),
        e.correlationId(),
        e.traceparent(),
        e.repositoryScope(),
        e.deadline());
  }

  private static Map.Entry<String, Envelope> full(String type, ReleaseCommand command) {
    return Map.entry(
        type, new Envelope("cmd-full-" + type, command, "corr-" + RELEASE, TRACE, SCOPE, DEADLINE));
  }

  private static Map.Entry<String, Envelope> sparse(String type, ReleaseCommand command) {
    return Map.entry(type, new Envelope("cmd-sparse-" + type, command, null, null, null, null));
  }
}
