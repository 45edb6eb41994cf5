package dev.rmm.orchestrator.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rmm.testsupport.TestSshServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands over SSH against a real SSH server: key auth, pinned host key, exit codes, timeouts that
 * stop the command on the host, a bounded output tail.
 */
class SshRunnerTest {

  private static TestSshServer server;
  private final SshRunner ssh = new SshRunner();

  @BeforeAll
  static void start() {
    server = TestSshServer.start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private SshRunner.Connection connect(String hostKey, String privateKey) throws Exception {
    String[] hp = server.address().split(":");
    return ssh.connect(
        hp[0], Integer.parseInt(hp[1]), "deploy", hostKey, privateKey, Duration.ofSeconds(10));
  }

  @Test
  void givenThePinnedHostAndTheKey_thenCommandsRunWithExitCodeAndOutputTail() throws Exception {
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      SshRunner.Result ok =
          ssh.run(c, "for i in $(seq 1 30); do echo line $i; done", Duration.ofSeconds(10));
      assertThat(ok.exitCode()).isZero();
      assertThat(ok.outputTail()).startsWith("line 11\n").endsWith("line 30");

      SshRunner.Result failed = ssh.run(c, "echo broken >&2; exit 3", Duration.ofSeconds(10));
      assertThat(failed.exitCode()).isEqualTo(3);
      assertThat(failed.outputTail()).isEqualTo("broken");
      assertThat(failed.problem()).isNull();
    }
  }

  @Test
  void givenACommandThatHangs_thenItIsStoppedAtItsTimeout() throws Exception {
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      long start = System.nanoTime();
      SshRunner.Result r = ssh.run(c, "echo started; sleep 30", Duration.ofSeconds(1));
      assertThat(r.exitCode()).isEqualTo(-1);
      assertThat(r.problem()).isEqualTo("timed out after 1 s");
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    }
  }

  @Test
  void givenAStepThatTimesOut_thenItsProcessesOnTheHostAreStoppedAndItNeverFinishes(
      @TempDir Path dir) throws Exception {
    Path marker = dir.resolve("marker");
    String nap = "sleep 600." + System.nanoTime() % 100_000; // names this test's sleep alone
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      SshRunner.Result r = ssh.run(c, nap + "; touch '" + marker + "'", Duration.ofSeconds(2));

      assertThat(r.problem()).isEqualTo("timed out after 2 s");
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> noProcessMentions(nap) && noProcessMentions(marker.toString()));
    assertThat(marker).doesNotExist();
  }

  @Test
  void givenAStepTheOrchestratorMayNoLongerRun_thenItIsStoppedOnTheHost(@TempDir Path dir)
      throws Exception {
    Path marker = dir.resolve("marker");
    String nap = "sleep 600." + System.nanoTime() % 100_000;
    AtomicBoolean owned = new AtomicBoolean(true);
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      CompletableFuture<SshRunner.Result> run =
          CompletableFuture.supplyAsync(
              () ->
                  ssh.run(
                      c, nap + "; touch '" + marker + "'", Duration.ofSeconds(600), owned::get));
      await().until(() -> !noProcessMentions(nap));

      owned.set(false);

      assertThat(run.get(30, TimeUnit.SECONDS).problem()).isEqualTo(SshRunner.STOPPED);
    }
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> noProcessMentions(nap) && noProcessMentions(marker.toString()));
    assertThat(marker).doesNotExist();
  }

  @Test
  void givenAStepWhoseOrchestratorFreezes_thenTheHostStopsItAfterTheSilence(@TempDir Path dir)
      throws Exception {
    SshRunner runner = new SshRunner(Duration.ofSeconds(3));
    Path marker = dir.resolve("marker");
    String nap = "sleep 600." + System.nanoTime() % 100_000;
    AtomicBoolean frozen = new AtomicBoolean();
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      CompletableFuture<SshRunner.Result> run =
          CompletableFuture.supplyAsync(
              () ->
                  runner.run(
                      c,
                      nap + "; touch '" + marker + "'",
                      Duration.ofSeconds(600),
                      () -> {
                        // a paused process: its connection stays open, it sends nothing
                        while (frozen.get()) {
                          sleepQuietly(50);
                        }
                        return true;
                      }));
      await().until(() -> !noProcessMentions(nap));

      frozen.set(true);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> noProcessMentions(nap) && noProcessMentions(marker.toString()));
      assertThat(marker).doesNotExist();
      frozen.set(false);
      assertThat(run.get(30, TimeUnit.SECONDS).ok()).isFalse();
    }
  }

  @Test
  void givenAStepLongerThanTheSilence_whileItsOrchestratorMayGoOn_thenItRunsToItsEnd()
      throws Exception {
    SshRunner runner = new SshRunner(Duration.ofSeconds(2));
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      SshRunner.Result r = runner.run(c, "sleep 5; echo done", Duration.ofSeconds(60), () -> true);

      assertThat(r.exitCode()).isZero();
      assertThat(r.outputTail()).isEqualTo("done");
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void givenAStepPrintingWithoutEnd_thenTheTailIsBoundedInLinesAndBytes() throws Exception {
    try (SshRunner.Connection c = connect(server.hostKeyLine(), server.clientPrivateKey())) {
      SshRunner.Result r =
          ssh.run(
              c,
              "head -c 3000000 /dev/zero | tr '\\0' x; echo; seq 1 100000",
              Duration.ofSeconds(60));

      assertThat(r.exitCode()).isZero();
      assertThat(r.outputTail().split("\n")).hasSize(SshRunner.TAIL_LINES);
      assertThat(r.outputTail()).startsWith("99981\n").endsWith("100000");

      SshRunner.Result oneLine =
          ssh.run(c, "head -c 3000000 /dev/zero | tr '\\0' x", Duration.ofSeconds(60));
      assertThat(oneLine.outputTail())
          .startsWith("\u2026")
          .hasSize(1 + SshRunner.LINE_BYTES)
          .endsWith("xxx");
    }
  }

  /** Whether no live process of this machine (the SSH server's host) has this in its command. */
  private static boolean noProcessMentions(String text) {
    return ProcessHandle.allProcesses()
        .noneMatch(
            p -> p.isAlive() && p.info().commandLine().map(l -> l.contains(text)).orElse(false));
  }

  @Test
  void givenAnUnknownHostKey_thenTheConnectionIsRefused() {
    assertThatThrownBy(() -> connect(TestSshServer.otherHostKeyLine(), server.clientPrivateKey()))
        .isInstanceOf(SshRunner.ConnectException.class)
        .hasMessageContaining("cannot connect");
  }

  @Test
  void givenAKeyTheServerDoesNotTrust_thenAuthenticationFails() {
    assertThatThrownBy(() -> connect(server.hostKeyLine(), TestSshServer.otherPrivateKey()))
        .isInstanceOf(SshRunner.ConnectException.class);
  }

  @Test
  void givenAGarbledKey_thenTheSettingsAreCalledUnusable() {
    assertThatThrownBy(() -> connect("not a key", server.clientPrivateKey()))
        .isInstanceOf(SshRunner.ConnectException.class)
        .hasMessageContaining("unusable SSH key settings");
  }
}
