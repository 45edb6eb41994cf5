package dev.rmm.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeGitHub;
import dev.rmm.testsupport.TestSshServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The stack a chaos trial runs against: the four services wired to the fake Bot API (the team chat
 * {@link ChaosLoad#TEAM}), the fake GitHub (every repository has the production workflow) and a
 * real SSH server that runs each service's rollback runbook. Every runbook command names the
 * service and the target tag, so a command run twice shows as the same line twice in {@link
 * TestSshServer#commands()}.
 */
final class ChaosStack {

  /** How many services (and so pipelines) the deploy file knows. */
  static final int SERVICES = 8;

  /** The alerts chat the gateway posts alerts to (apart from the team chat, to judge them). */
  static final long ALERTS = -1009876543210L;

  static final List<String> RUNBOOK = List.of("migrations", "checkout", "up", "health");

  /**
   * While this file exists, the runbook's {@code up} step sleeps {@link #SLOW_STEP} on the host
   * after its echo ({@link OrchestratorRebalance}); otherwise every step ends at once.
   */
  static final Path SLOW_SWITCH =
      Path.of(
          System.getProperty("java.io.tmpdir"), "rmm-chaos-slow-" + ProcessHandle.current().pid());

  static final Duration SLOW_STEP = Duration.ofSeconds(30);

  /** The Bot API of the chaos stack's gateway (reset by {@link #resetFakes} for each class). */
  static final FakeBotApi BOT_API = new FakeBotApi();

  private ChaosStack() {}

  /** The service pipeline {@code i} releases. */
  static String service(int i) {
    return "chaos" + (i % SERVICES);
  }

  /** A stack with the fakes and the deploy file; the SSH server is the caller's to close. */
  static StackExtension extension(TestSshServer ssh) {
    return new StackExtension()
        .withEnvironment("TELEGRAM_BOT_TOKEN", FakeBotApi.TOKEN)
        .withEnvironment("RMM_TELEGRAM_API_URL", BOT_API.start())
        .withEnvironment("TELEGRAM_TEAM_CHAT_ID", Long.toString(ChaosLoad.TEAM))
        .withEnvironment("TELEGRAM_ALERTS_CHAT_ID", Long.toString(ALERTS))
        .withEnvironment("RMM_TELEGRAM_DEFAULT_LANGUAGE", "en")
        .withEnvironment("GITHUB_TOKEN", FakeGitHub.TOKEN)
        .withEnvironment("RMM_GITHUB_API_URL", FakeGitHub.start())
        .withEnvironment("RMM_GITHUB_RUN_LOOKUP", "5s")
        .withEnvironment("RMM_DEPLOY_RECHECK", "2s")
        .withEnvironment("RMM_SSH_KEY_CHAOS", ssh.clientPrivateKey())
        .withEnvironment("RMM_DEPLOY_FILE", deployFile(ssh).toString());
  }

  /** Forgets what the fakes recorded and makes the production workflow exist everywhere. */
  static void resetFakes(TestSshServer ssh) {
    BOT_API.reset();
    FakeGitHub.reset();
    FakeGitHub.addWorkflow("*", "on-approve-manual-testing.yml");
    ssh.clearCommands();
  }

  /** The runbook command of one step, as the deploy file has it before the tag is filled in. */
  static String command(String step, String service, String targetTag) {
    return "echo " + step + "-" + service + "-" + targetTag;
  }

  /** The end of the {@code up} step: a sleep while {@link #SLOW_SWITCH} exists. */
  private static String slowly() {
    return "; [ ! -e '" + SLOW_SWITCH + "' ] || sleep " + SLOW_STEP.toSeconds();
  }

  private static Path deployFile(TestSshServer ssh) {
    ObjectMapper json = new ObjectMapper();
    ObjectNode services = json.createObjectNode();
    for (int i = 0; i < SERVICES; i++) {
      ObjectNode s = json.createObjectNode();
      s.putArray("hosts").add(ssh.address());
      s.put("user", "deploy");
      s.put("private_key_variable", "RMM_SSH_KEY_CHAOS");
      s.putObject("host_keys").put(ssh.address(), ssh.hostKeyLine());
      s.put("workdir", "/tmp");
      s.put("health_first_wait_seconds", 0);
      s.put("health_attempts", 3);
      s.put("health_pause_seconds", 0.2);
      ObjectNode steps = s.putObject("steps");
      for (String step : RUNBOOK) {
        steps.put(step, "echo " + step + "-{service}-{tag}" + (step.equals("up") ? slowly() : ""));
      }
      services.putObject(service(i)).set("ssh", s);
    }
    try {
      Path f = Files.createTempFile("rmm-chaos-deploy-", ".json");
      Files.writeString(f, json.createObjectNode().set("services", services).toString());
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
