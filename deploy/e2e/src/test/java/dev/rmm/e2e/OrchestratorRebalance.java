package dev.rmm.e2e;

import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.local.RmmService;
import dev.rmm.local.ServiceProcess;
import dev.rmm.testsupport.TestSshServer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A rebalance of the orchestrators while rollbacks run a slow SSH step (issue 14, fault 6). The
 * runbook's {@code up} step sleeps {@link ChaosStack#SLOW_STEP} on the host during the fault; once
 * one is running, a second deploy-orchestrator process starts and joins the group (some partitions
 * move to it, and the first must stop what runs on them), stays 45 to 55 s (so that it settles the
 * runbooks it found unfinished and runs rollbacks of its own), and stops gracefully during a slow
 * step if one comes within 20 s (its partitions move back). Each rollback then either completes or,
 * if a step of it was stopped, ends rollback_failed "interrupted, finish by hand".
 *
 * <p>Besides the {@link Verdict} (each runbook command at most once on the host, every release
 * settled, ...), {@link #afterwards()} checks the other half of the lease: no rollback was declared
 * interrupted while one of its steps was still running on the host (the SSH server's record of when
 * each command's process ended, against the time of the runbook's end in the log).
 */
final class OrchestratorRebalance implements Fault {

  /** How long to wait for a rollback to reach its slow step. */
  private static final Duration FIRST_SLOW_STEP = Duration.ofSeconds(90);

  /** How long the second orchestrator stays at the least. */
  private static final Duration HOLD = Duration.ofSeconds(45);

  private final StackExtension stack;
  private final TestSshServer ssh;
  private final Random random;

  OrchestratorRebalance(StackExtension stack, TestSshServer ssh, Random random) {
    this.stack = stack;
    this.ssh = ssh;
    this.random = random;
  }

  @Override
  public String name() {
    return "orchestrator rebalance during a slow SSH step";
  }

  @Override
  public List<String> inject(ChaosLoad load) throws Exception {
    List<String> failed = new ArrayList<>();
    Files.deleteIfExists(ChaosStack.SLOW_SWITCH);
    Files.createFile(ChaosStack.SLOW_SWITCH);
    try {
      if (!awaitSlowStep(FIRST_SLOW_STEP)) {
        failed.add("rebalance: no rollback reached its slow step in " + FIRST_SLOW_STEP);
        return failed;
      }
      int before = slowStepsRunning();
      ServiceProcess second = stack.startAnotherInstance(RmmService.DEPLOY_ORCHESTRATOR);
      log("a second deploy-orchestrator joined; %d slow steps were running", before);
      // long enough for the new owner to settle what it found unfinished (past the old owner's
      // lease: twice rmm.deploy.runbook-lease, 40 s) and to start rollbacks of its own
      Thread.sleep(HOLD.toMillis() + random.nextInt(10_000));
      awaitSlowStep(Duration.ofSeconds(20)); // it leaves during a slow step if one comes
      int leaving = slowStepsRunning();
      second.stop();
      log("the second deploy-orchestrator left; %d slow steps were running", leaving);
    } finally {
      Files.deleteIfExists(ChaosStack.SLOW_SWITCH);
    }
    return failed;
  }

  /**
   * No rollback declared interrupted while one of its steps was still running on the host: the new
   * owner of a partition waits past the old owner's lease before it settles a runbook it found
   * unfinished, and by then the old owner has stopped its step on the host.
   */
  @Override
  public List<String> afterwards() {
    List<String> failed = new ArrayList<>();
    LogSnapshot log = LogSnapshot.read(stack.kafkaBootstrapServers());
    List<TestSshServer.Run> runs = ssh.runs();
    int interrupted = 0;
    for (Map.Entry<String, List<EventEnvelope>> release : log.events().entrySet()) {
      Map<String, String> targets = new HashMap<>();
      for (EventEnvelope e : release.getValue()) {
        if (e.data() instanceof ReleaseEvent.RunbookStarted s) {
          targets.put(s.runId(), s.targetTag());
        } else if (e.data() instanceof ReleaseEvent.RunbookFinished f
            && "interrupted".equals(f.failedStep())) {
          interrupted++;
          ReleaseState state = log.last(release.getKey());
          String names = state.spec().service() + "-" + targets.get(f.runId());
          for (TestSshServer.Run r : runs) {
            if (ranFor(r.command(), names)
                && (r.ended() == null || r.ended().isAfter(e.occurredAt()))) {
              failed.add(
                  "finish by hand: release "
                      + release.getKey()
                      + "'s runbook "
                      + f.runId()
                      + " was declared interrupted at "
                      + e.occurredAt()
                      + " while a step of it ran on the host until "
                      + (r.ended() == null ? "now" : r.ended())
                      + ": "
                      + step(r.command()));
            }
          }
        }
      }
    }
    log("%d rollbacks in the log so far (all trials) were declared interrupted", interrupted);
    return failed;
  }

  /** Whether a command on the host was a step of the runbook of {@code service-tag}. */
  private static boolean ranFor(String command, String serviceTag) {
    return command.contains("-" + serviceTag + "'") || command.contains("-" + serviceTag + ";");
  }

  /** The step's own command inside the host-side wrapper, for the report. */
  private static String step(String command) {
    int at = command.indexOf("echo ");
    int end = command.indexOf("' </dev/null");
    return at < 0 || end < at ? command : command.substring(at, end);
  }

  private boolean awaitSlowStep(Duration patience) throws InterruptedException {
    long deadline = System.nanoTime() + patience.toNanos();
    while (System.nanoTime() < deadline) {
      if (slowStepsRunning() > 0) {
        return true;
      }
      Thread.sleep(200);
    }
    return false;
  }

  /** Steps running on the host for more than a second: the slow ones. */
  private int slowStepsRunning() {
    Instant second = Instant.now().minusSeconds(1);
    return (int)
        ssh.runs().stream()
            .filter(r -> r.ended() == null && r.started() != null && r.started().isBefore(second))
            .count();
  }

  private static void log(String format, Object... args) {
    System.out.println("[chaos] rebalance: " + String.format(format, args));
  }
}
