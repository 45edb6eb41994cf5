package dev.rmm.bench;

import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Realistic release histories for the projector's benchmark, as release-api stores them: CloudEvent
 * JSON, hash-chained per release, microsecond clock, a trace context. {@code active} releases are
 * under way at once and each next event belongs to one of them, drawn at random, so a poll batch
 * holds many releases with a few events each, as under load. Every release walks a whole lifecycle:
 * 70 % deployed (dispatch included), 10 % failed on stage, 10 % rejected, 10 % deployed and then
 * rolled back.
 */
final class ReleaseHistories {

  /** One stored event: its release (the record key) and its value. */
  record Stored(String releaseId, byte[] value) {}

  private static final ApprovalPolicy POLICY =
      ApprovalPolicy.allOf(
          List.of(
              new ApprovalPolicy.Approver(1001, "Alice QA", "alice"),
              new ApprovalPolicy.Approver(1002, "Bob Lead", null)),
          List.of(1002L));

  private final Random random = new Random(42);
  private final List<Release> active = new ArrayList<>();
  private final int concurrency;

  /** Every release created, built and failed on stage (3 events): many releases in few events. */
  private final boolean shortLives;

  private final String run = Long.toString(System.currentTimeMillis(), 36);
  private Instant clock = Instant.parse("2026-12-01T00:00:00Z");
  private long created;
  private long started;

  ReleaseHistories(int concurrency) {
    this(concurrency, false);
  }

  ReleaseHistories(int concurrency, boolean shortLives) {
    this.concurrency = concurrency;
    this.shortLives = shortLives;
  }

  /** The next event of the log. */
  Stored next() {
    while (active.size() < concurrency) {
      active.add(new Release(created++));
    }
    int i = random.nextInt(active.size());
    Release r = active.get(i);
    Stored s = r.next();
    if (r.done()) {
      active.set(i, active.get(active.size() - 1));
      active.remove(active.size() - 1);
    }
    return s;
  }

  /** Releases whose first event was made so far. */
  long releases() {
    return started;
  }

  private final class Release {
    private final String id;
    private final List<ReleaseEvent> events = new ArrayList<>();
    private int at;
    private String prev = EventChain.GENESIS;

    Release(long n) {
      ReleaseSpec spec =
          new ReleaseSpec(
              "service-" + (n % 50),
              "v" + run + "." + n,
              "ci-bot",
              Long.toString(9_000_000_000L + n),
              "https://github.com/acme/service-" + (n % 50) + "/actions/runs/" + n,
              "refs/tags/v" + run + "." + n,
              "acme/service-" + (n % 50),
              Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()));
      id = spec.releaseId();
      events.add(new ReleaseEvent.ReleaseCreated(spec, POLICY));
      int path = shortLives ? 0 : random.nextInt(10);
      status(ReleaseStatus.INITIATED, ReleaseStatus.STAGE_BUILDING);
      if (path == 0) {
        status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_BUILDING_FAILED);
        return;
      }
      status(ReleaseStatus.STAGE_BUILDING, ReleaseStatus.STAGE_TEST_ROLLBACK);
      status(ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING);
      events.add(new ReleaseEvent.ApprovalGranted(1001, "Alice QA", 1, 2));
      if (path == 1) {
        events.add(new ReleaseEvent.ReleaseRejected(1002, "Bob Lead", "login page broken"));
        return;
      }
      events.add(new ReleaseEvent.ApprovalGranted(1002, "Bob Lead", 2, 2));
      events.add(new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1002L)));
      String dispatch = UUID.randomUUID().toString();
      events.add(
          new ReleaseEvent.DispatchStarted(
              dispatch, spec.repository(), "deploy-production.yml", spec.ref()));
      events.add(new ReleaseEvent.WorkflowDispatched(dispatch, 204, 1));
      status(ReleaseStatus.MANUAL_TEST_PASSED, ReleaseStatus.DEPLOYING);
      if (path == 2) {
        status(ReleaseStatus.DEPLOYING, ReleaseStatus.PRODUCTION_ROLLBACK);
        status(ReleaseStatus.PRODUCTION_ROLLBACK, ReleaseStatus.ROLLBACK_DONE);
        return;
      }
      status(ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED);
    }

    private void status(ReleaseStatus from, ReleaseStatus to) {
      events.add(new ReleaseEvent.StatusChanged(from, to, null));
    }

    Stored next() {
      clock = clock.plusMillis(1 + random.nextInt(5000));
      long seq = at + 1;
      if (seq == 1) {
        started++;
      }
      EventEnvelope e =
          new EventEnvelope(
                  UUID.randomUUID().toString(),
                  id,
                  seq,
                  clock,
                  Actor.system("release-api"),
                  "corr-" + id,
                  seq == 1 ? null : "cause-" + seq,
                  "00-"
                      + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                      + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                      + "-"
                      + Long.toHexString(random.nextLong() | Long.MIN_VALUE)
                      + "-01",
                  events.get(at))
              .chainedTo(prev);
      byte[] value = EventCodec.encode(e);
      prev = EventChain.hash(value);
      at++;
      return new Stored(id, value);
    }

    boolean done() {
      return at == events.size();
    }
  }
}
