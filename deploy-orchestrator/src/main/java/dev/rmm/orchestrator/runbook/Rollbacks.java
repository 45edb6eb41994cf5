package dev.rmm.orchestrator.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.ops.Redactor;
import dev.rmm.orchestrator.Commands;
import dev.rmm.orchestrator.lease.PartitionLeases;
import dev.rmm.orchestrator.runbook.RunbookPlans.Host;
import dev.rmm.orchestrator.runbook.RunbookPlans.Plan;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the rollback runbook an admin requested, at most once: the run is claimed in the log before
 * the first command ({@code StartRunbook}), every step is recorded as it ends, and the release ends
 * rollback_done or rollback_failed naming the step that failed. A runbook found started but not
 * ended (the instance that ran it stopped) is never run again: it ends rollback_failed, saying so,
 * for a person to look at the host.
 *
 * <p>Steps run under a lease on the release's partition ({@link PartitionLeases}): no step starts
 * without it, and a running step is stopped, on the host too, when it ends (the partition went to
 * another orchestrator, or this one lost touch with the group). The runbook then stops where it is,
 * unfinished, and the new owner settles it after its wait.
 *
 * <p>A graceful stop of this instance ({@link #stop}) ends its runbooks itself, because only it
 * knows exactly where they are: a running step is stopped on the host as a timed-out step is,
 * recorded as interrupted by the shutdown (exit code unknown, its duration and output tail), and
 * the runbook ended "interrupted" for a person to finish, with the lease still held; the new owner
 * then finds it ended and has nothing to wait for.
 */
public final class Rollbacks {

  private static final Logger LOG = Logger.getLogger(Rollbacks.class);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(20);

  /** Characters of a step's output tail that go into its event. */
  static final int TAIL_CHARS = 2000;

  private final RunbookPlans plans;
  private final SshRunner ssh;
  private final Redactor redactor;
  private final Tracer tracer;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final Set<String> finished = ConcurrentHashMap.newKeySet();

  /** Counted down when this instance shuts down: no step starts, a running one is stopped. */
  private final CountDownLatch shuttingDown = new CountDownLatch(1);

  /** Guards {@link #acting}; notified when it drops. */
  private final Object idle = new Object();

  /** How many runbooks are being claimed, run or settled here now: the shutdown waits for them. */
  private int acting;

  public Rollbacks(RunbookPlans plans, SshRunner ssh, Redactor redactor, Tracer tracer) {
    this.tracer = tracer;
    this.plans = plans;
    this.ssh = ssh;
    this.redactor = redactor;
  }

  /** How long a runbook waits between steps for a lapsed lease to come back. */
  static final Duration LAPSE_PATIENCE = Duration.ofSeconds(60);

  public boolean due(ReleaseState s) {
    if (!s.exists()
        || s.status() != ReleaseStatus.PRODUCTION_ROLLBACK
        || s.rollbackToTag() == null) {
      return false;
    }
    ReleaseState.Runbook r = s.runbook();
    return r == null
        || (!r.finished() && !running.contains(r.runId()) && !finished.contains(r.runId()));
  }

  public void act(ReleaseState s, Commands commands, PartitionLeases.Lease lease) {
    synchronized (idle) {
      acting++;
    }
    try {
      if (stopping()) {
        LOG.infof(
            "Release %s: not acting on its rollback: this orchestrator is shutting down",
            s.releaseId());
        return;
      }
      actHeld(s, commands, lease);
    } finally {
      synchronized (idle) {
        acting--;
        idle.notifyAll();
      }
    }
  }

  /**
   * This instance shuts down: no runbook or step starts any more, a running step is stopped on the
   * host and recorded, and its runbook ended (see the class comment). Waits up to {@code grace} for
   * the runbooks being acted on to end; false when one had not by then.
   */
  public boolean stop(Duration grace) {
    shuttingDown.countDown();
    long deadline = System.nanoTime() + grace.toNanos();
    synchronized (idle) {
      if (acting > 0) {
        LOG.infof(
            "Shutting down: stopping %d rollback runbooks and recording where they stopped",
            acting);
      }
      while (acting > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          idle.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return true;
  }

  private boolean stopping() {
    return shuttingDown.getCount() == 0;
  }

  private void actHeld(ReleaseState s, Commands commands, PartitionLeases.Lease lease) {
    if (!lease.held()) {
      LOG.infof(
          "Release %s: not acting on its rollback: this orchestrator does not hold its partition",
          s.releaseId());
      return;
    }
    ReleaseState.Runbook r = s.runbook();
    if (r != null) {
      LOG.warnf(
          "Release %s: runbook %s was started on %s and never ended; it is not run again",
          s.releaseId(), r.runId(), r.host());
      finish(
          s.releaseId(),
          r.runId(),
          false,
          "interrupted",
          "the orchestrator stopped during the rollback runbook after "
              + r.steps()
              + " recorded steps; nothing is run twice: check "
              + r.host()
              + " and finish the rollback to "
              + r.targetTag()
              + " by hand",
          commands);
      return;
    }
    Plan plan = plans.plan(s.spec(), s.rollbackToTag());
    String runId = "rb-" + UUID.randomUUID();
    Optional<JsonNode> claim =
        commands.decide(
            new ReleaseCommand.StartRunbook(
                s.releaseId(),
                runId,
                plan.missing() == null ? plan.hostNames() : "-",
                commands.actor()));
    if (claim.isEmpty() || !Commands.appended(claim.get(), ReleaseEvent.RunbookStarted.TYPE)) {
      claim.ifPresent(
          c ->
              LOG.infof(
                  "Release %s: no runbook, release-api said %s: %s",
                  s.releaseId(), c.path("reason").asText(""), c.path("detail").asText("")));
      return;
    }
    running.add(runId);
    try {
      if (plan.missing() != null) {
        finish(s.releaseId(), runId, false, "settings", plan.missing(), commands);
        return;
      }
      run(s, runId, plan, commands, lease);
    } finally {
      running.remove(runId);
    }
  }

  private void run(
      ReleaseState s, String runId, Plan plan, Commands commands, PartitionLeases.Lease lease) {
    boolean several = plan.hosts().size() > 1;
    for (Host host : plan.hosts()) {
      String where = several ? host + " " : "";
      try (SshRunner.Connection c =
          ssh.connect(
              host.name(),
              host.port(),
              plan.user(),
              host.hostKeyLine(),
              plan.privateKey(),
              CONNECT_TIMEOUT)) {
        for (Map.Entry<String, String> step : plan.steps().entrySet()) {
          if (lost(s, runId, where + step.getKey(), lease)
              || shutDownBefore(s, runId, where + step.getKey(), commands, lease)) {
            return;
          }
          SshRunner.Result result =
              traced(
                  where + step.getKey(),
                  () -> ssh.run(c, step.getValue(), plan.stepTimeout(), mayGoOn(lease)));
          if (stoppedByShutdown(
              s, runId, where + step.getKey(), step.getValue(), result, commands, lease)) {
            return;
          }
          record(s.releaseId(), runId, where + step.getKey(), step.getValue(), result, commands);
          if (SshRunner.STOPPED.equals(result.problem())) {
            return; // unfinished: the partition's new owner settles it
          }
          if (!result.ok()) {
            finish(
                s.releaseId(),
                runId,
                false,
                where + step.getKey(),
                where + step.getKey() + " failed: " + describe(result),
                commands);
            return;
          }
        }
        if (plan.health() != null && !healthy(s, runId, where, c, plan, commands, lease)) {
          return;
        }
      } catch (SshRunner.ConnectException e) {
        LOG.errorf("Release %s: %s", s.releaseId(), e.getMessage());
        finish(
            s.releaseId(),
            runId,
            false,
            where + "connect",
            redactor.redact(e.getMessage()),
            commands);
        return;
      }
    }
    finish(
        s.releaseId(),
        runId,
        true,
        null,
        "rolled back to " + s.rollbackToTag() + " on " + plan.hostNames(),
        commands);
  }

  /** The first wait, then up to N attempts with a pause, like the original's 15 s + 5. */
  private boolean healthy(
      ReleaseState s,
      String runId,
      String where,
      SshRunner.Connection c,
      Plan plan,
      Commands commands,
      PartitionLeases.Lease lease) {
    pause(plan.healthFirstWait());
    SshRunner.Result last = null;
    for (int attempt = 1; attempt <= plan.healthAttempts(); attempt++) {
      if (lost(s, runId, where + "health", lease)
          || shutDownBefore(s, runId, where + "health", commands, lease)) {
        return false;
      }
      last =
          traced(
              where + "health",
              () -> ssh.run(c, plan.health(), plan.stepTimeout(), mayGoOn(lease)));
      if (stoppedByShutdown(s, runId, where + "health", plan.health(), last, commands, lease)) {
        return false;
      }
      if (SshRunner.STOPPED.equals(last.problem())) {
        record(s.releaseId(), runId, where + "health", plan.health(), last, commands);
        return false;
      }
      if (last.ok()) {
        record(s.releaseId(), runId, where + "health", plan.health(), last, commands);
        return true;
      }
      if (attempt < plan.healthAttempts()) {
        pause(plan.healthPause());
      }
    }
    record(s.releaseId(), runId, where + "health", plan.health(), last, commands);
    finish(
        s.releaseId(),
        runId,
        false,
        where + "health",
        where + "health check failed " + plan.healthAttempts() + " times: " + describe(last),
        commands);
    return false;
  }

  /**
   * Whether the lease is gone before {@code step}: the runbook then stops, unfinished. A lease that
   * only lapsed (the group's coordinator did not answer, as during a broker's failover) while this
   * instance still owns the partition is waited for, up to {@link #LAPSE_PATIENCE}: no step runs
   * meanwhile, and the runbook goes on once the coordinator confirms the ownership again.
   */
  private static boolean lost(
      ReleaseState s, String runId, String step, PartitionLeases.Lease lease) {
    if (lease.held()) {
      return false;
    }
    LOG.warnf(
        "Release %s: runbook %s waits before %s: the lease on its partition lapsed; it goes on if"
            + " the group confirms this orchestrator still owns the partition within %d s",
        s.releaseId(), runId, step, LAPSE_PATIENCE.toSeconds());
    if (lease.awaitHeld(LAPSE_PATIENCE)) {
      LOG.infof("Release %s: runbook %s goes on with %s", s.releaseId(), runId, step);
      return false;
    }
    LOG.warnf(
        "Release %s: runbook %s stops before %s: this orchestrator lost its partition; the new"
            + " owner settles it",
        s.releaseId(), runId, step);
    return true;
  }

  /** One step over SSH as a span of the rollback's trace, with its exit code. */
  private SshRunner.Result traced(String step, Supplier<SshRunner.Result> run) {
    Span span =
        tracer
            .spanBuilder("ssh " + step)
            .setSpanKind(SpanKind.CLIENT)
            .setAttribute("rmm.step", step)
            .startSpan();
    try (Scope ignored = span.makeCurrent()) {
      SshRunner.Result r = run.get();
      span.setAttribute("process.exit.code", (long) r.exitCode());
      if (!r.ok()) {
        span.setStatus(StatusCode.ERROR, "exit " + r.exitCode());
      }
      return r;
    } finally {
      span.end();
    }
  }

  private static String describe(SshRunner.Result r) {
    return r.problem() != null ? r.problem() : "exit " + r.exitCode();
  }

  /** A running step may go on while the lease is held and this instance is not shutting down. */
  private BooleanSupplier mayGoOn(PartitionLeases.Lease lease) {
    return () -> lease.held() && !stopping();
  }

  /**
   * Whether the shutdown came before {@code step}: nothing runs on the host, and the runbook is
   * ended here (with the lease held) so that the next owner need not wait to settle it.
   */
  private boolean shutDownBefore(
      ReleaseState s, String runId, String step, Commands commands, PartitionLeases.Lease lease) {
    if (!stopping()) {
      return false;
    }
    endAtShutdown(s, runId, "before step " + step + " (nothing of it ran)", commands, lease);
    return true;
  }

  /**
   * Whether {@code r} is a step stopped because this instance shuts down: it is then recorded as
   * interrupted by the shutdown (stopped on the host, exit code unknown, its duration and output
   * tail) and the runbook ended.
   */
  private boolean stoppedByShutdown(
      ReleaseState s,
      String runId,
      String step,
      String command,
      SshRunner.Result r,
      Commands commands,
      PartitionLeases.Lease lease) {
    if (!SshRunner.STOPPED.equals(r.problem()) || !stopping()) {
      return false;
    }
    String what =
        "interrupted by the shutdown of "
            + commands.actor().id()
            + ": stopped on the host after "
            + r.durationMs() / 1000
            + " s, exit code unknown";
    LOG.warnf("Release %s: runbook %s step %s %s", s.releaseId(), runId, step, what);
    record(s.releaseId(), runId, step, command, r, commands, "rmm: " + what);
    endAtShutdown(s, runId, "during step " + step + " (" + what + ")", commands, lease);
    return true;
  }

  /**
   * Ends the runbook "interrupted" at this instance's shutdown, for a person to finish; only while
   * the lease is held (otherwise the partition's new owner settles it after its wait).
   */
  private void endAtShutdown(
      ReleaseState s, String runId, String when, Commands commands, PartitionLeases.Lease lease) {
    if (!lease.held()) {
      LOG.warnf(
          "Release %s: runbook %s stops at the shutdown %s; the lease is gone, so the partition's"
              + " new owner settles it",
          s.releaseId(), runId, when);
      return;
    }
    finish(
        s.releaseId(),
        runId,
        false,
        "interrupted",
        commands.actor().id()
            + " shut down "
            + when
            + "; nothing is run twice: check the host and finish the rollback to "
            + s.rollbackToTag()
            + " by hand",
        commands);
  }

  private void record(
      String releaseId,
      String runId,
      String step,
      String command,
      SshRunner.Result r,
      Commands commands) {
    record(releaseId, runId, step, command, r, commands, null);
  }

  /**
   * Records a step; {@code note} (the orchestrator's own line, e.g. why the step stopped) goes
   * after its output tail and is never cut.
   */
  private void record(
      String releaseId,
      String runId,
      String step,
      String command,
      SshRunner.Result r,
      Commands commands,
      String note) {
    String tail;
    if (note == null) {
      tail = redactor.redactTail(r.outputTail(), TAIL_CHARS);
    } else {
      String output = redactor.redactTail(r.outputTail(), TAIL_CHARS - note.length() - 1);
      tail = output == null || output.isEmpty() ? note : output + "\n" + note;
    }
    LOG.infof(
        "Release %s: runbook step %s %s in %d ms",
        releaseId, step, r.ok() ? "passed" : "failed (" + describe(r) + ")", r.durationMs());
    commands.decide(
        new ReleaseCommand.RecordRunbookStep(
            releaseId,
            runId,
            step,
            redactor.redact(command),
            r.exitCode(),
            r.durationMs(),
            tail,
            r.ok(),
            commands.actor()));
  }

  private void finish(
      String releaseId,
      String runId,
      boolean ok,
      String failedStep,
      String detail,
      Commands commands) {
    if (commands
        .decide(
            new ReleaseCommand.FinishRunbook(
                releaseId, runId, ok, failedStep, redactor.redact(detail), commands.actor()))
        .isPresent()) {
      finished.add(runId);
    }
    LOG.infof("Release %s: runbook %s %s", releaseId, runId, ok ? "done: " + detail : detail);
  }

  /** Waits {@code d}, or less when this instance begins to shut down. */
  private void pause(Duration d) {
    try {
      shuttingDown.await(d.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
