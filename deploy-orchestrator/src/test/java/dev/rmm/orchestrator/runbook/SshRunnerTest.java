package dev.rmm.orchestrator.runbook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.testsupport.TestSshServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Commands over SSH against a real SSH server: key auth, pinned host key, exit codes, timeouts. */
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
