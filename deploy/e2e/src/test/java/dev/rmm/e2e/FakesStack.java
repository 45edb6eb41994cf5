package dev.rmm.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeGitHub;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The stack shared by the classes that talk to the fake Telegram and GitHub ({@code
 * TelegramFlowTest}, {@code DispatchFlowTest}, {@code SupersedeFlowTest}, {@code
 * BreakGlassFlowTest}, {@code FreezeFlowTest}, {@code CrossServiceTraceTest}, {@code
 * TagMovedFlowTest}, {@code BreakGlassExpiryFlowTest}) or to an SSH host ({@code
 * RollbackRunbookTest}): one start of the
 * whole stack for all of them instead of one each (about half a minute each on 2 cores). Its
 * environment is the union of what they need:
 *
 * <ul>
 *   <li>the fake Bot API with the team chat {@link #TEAM} in English, and the fake GitHub;
 *   <li>the policy file {@link #POLICY}: the service trio needs all three of Alice (1001), Bob
 *       (1002) and Carol (1003), admin Bob; every other service the demo policy (Alice and Bob),
 *       with Bob and Carol as admins (break-glass needs two); the service lapse the demo
 *       approvers and both admins with a break-glass window of {@link #LAPSE_WINDOW}; no freeze
 *       until a class writes one ({@link #writePolicy});
 *   <li>the deploy file: ghost, ghost-retry and thaw-retry point at workflows that do not exist
 *       (yet); {@code RollbackRunbookTest}'s services run their rollbacks on the SSH server of
 *       {@link RunbookHosts}, whose keys and {@code DB_PASSWORD} every service gets;
 *   <li>the orchestrator looks again every 2 s and for a dispatch's run 5 s after a restart, and
 *       holds a runbook's lease for 6 s (a restarted one declares a crashed runbook interrupted
 *       after 12 s instead of 40 s);
 *   <li>every span exported to {@link #OTLP}.
 * </ul>
 *
 * <p>Each class releases services of its own (no two classes share a service name: superseding
 * acts across a service's releases), reads the fakes only about its own releases (a dispatch of
 * another class's release may reach the fake GitHub late: {@link FakeGitHub#dispatches(String)}),
 * and restores what it changes (the policy file; a service it stops). Its classes run together,
 * after the classes with stacks of their own and before {@link SharedStack}'s ({@link #ORDER});
 * starting another stack closes this one ({@link StackExtension#sharedAs}).
 *
 * <pre>{@code
 * @Order(FakesStack.ORDER)
 * class SomeFlowTest {
 *   @RegisterExtension static final StackExtension stack = FakesStack.extension();
 * }</pre>
 */
final class FakesStack {

  /** The team chat's id. */
  static final long TEAM = -1001234567890L;

  /** The {@code @Order} of the classes sharing this stack: just before {@link SharedStack}'s. */
  static final int ORDER = SharedStack.LAST - 1;

  /**
   * The collector the services export every span to. Like the fake servers, it runs as long as the
   * test JVM: the shared stack may outlive any one class.
   */
  static final OtlpReceiver OTLP = new OtlpReceiver();

  /**
   * The Bot API of this stack's gateway: one instance for the classes that share the stack, as
   * long-lived as the stack.
   */
  static final FakeBotApi BOT_API = new FakeBotApi();

  /**
   * The break-glass window of the service lapse ({@code BreakGlassExpiryFlowTest}): a minute, so
   * that the test waits out a whole window in the build instead of the default 15 minutes.
   */
  static final Duration LAPSE_WINDOW = Duration.ofMinutes(1);

  /** The services part of the policy; {@link #writePolicy} adds freezes to it. */
  private static final String SERVICES =
      "\"services\": {\"trio\": {\"approvers\": [{\"telegram_id\": 1001, \"name\": \"Alice"
          + " QA\"}, {\"telegram_id\": 1002, \"name\": \"Bob Lead\"}, {\"telegram_id\": 1003,"
          + " \"name\": \"Carol Dev\"}], \"quorum\": 3, \"admins\": [1002]}, \"lapse\":"
          + " {\"approvers\": [{\"telegram_id\": 1001, \"name\": \"Alice QA\"},"
          + " {\"telegram_id\": 1002, \"name\": \"Bob Lead\"}], \"quorum\": 2, \"admins\":"
          + " [1002, 1003], \"break_glass_window_minutes\": "
          + LAPSE_WINDOW.toMinutes()
          + "}}";

  /** The workflow of the service thaw-retry: missing until {@code FreezeFlowTest} adds it. */
  static final String THAW_RETRY_WORKFLOW = "thawed-later.yml";

  /** The policy file release-api watches (RMM_POLICY_FILE). */
  static final Path POLICY = tempFile("rmm-policy-", "{" + SERVICES + "}");

  private static final Path DEPLOY = tempFile("rmm-deploy-", deployFile());

  private FakesStack() {}

  static StackExtension extension() {
    return new StackExtension()
        .withEnvironment("TELEGRAM_BOT_TOKEN", FakeBotApi.TOKEN)
        .withEnvironment("RMM_TELEGRAM_API_URL", BOT_API.start())
        .withEnvironment("TELEGRAM_TEAM_CHAT_ID", Long.toString(TEAM))
        .withEnvironment("RMM_TELEGRAM_DEFAULT_LANGUAGE", "en")
        .withEnvironment("GITHUB_TOKEN", FakeGitHub.TOKEN)
        .withEnvironment("RMM_GITHUB_API_URL", FakeGitHub.start())
        .withEnvironment("RMM_GITHUB_RUN_LOOKUP", "5s")
        .withEnvironment("RMM_DEPLOY_RECHECK", "2s")
        // RollbackRunbookTest: the runbook lease shorter than its 20 s default, with the same
        // rules: the orchestrator started again after a crash waits twice the lease after it got
        // the partition before it declares the crashed runbook interrupted, 12 s instead of 40 s
        .withEnvironment("RMM_DEPLOY_RUNBOOK_LEASE", "6s")
        .withEnvironment(RunbookHosts.KEY_VARIABLE, RunbookHosts.KEY)
        .withEnvironment(RunbookHosts.WRONG_KEY_VARIABLE, RunbookHosts.WRONG_KEY)
        .withEnvironment("DB_PASSWORD", RunbookHosts.SECRET)
        .withEnvironment("RMM_DEPLOY_FILE", DEPLOY.toString())
        .withEnvironment("RMM_POLICY_FILE", POLICY.toString())
        // two admins: Bob Lead (1002, the demo admin) and Carol (1003)
        .withEnvironment("RMM_POLICY_DEFAULT_ADMINS", "1002,1003")
        .withEnvironment("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", OTLP.endpoint())
        .withEnvironment("QUARKUS_OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
        .withEnvironment("QUARKUS_OTEL_TRACES_SAMPLER_ARG", "1.0")
        .withEnvironment("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms")
        .sharedAs("fakes-stack");
  }

  /**
   * Replaces the policy file at once (release-api never reads half of it) with the shared services
   * and these freeze windows ({@code "[]"}: none, as at the start).
   */
  static void writePolicy(String freezes) {
    String content = "{" + SERVICES + ", \"freezes\": " + freezes + "}";
    try {
      Path tmp = Files.createTempFile(POLICY.getParent(), "rmm-policy-", ".tmp");
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      Files.move(tmp, POLICY, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The deploy file: ghost and ghost-retry ({@code DispatchFlowTest}) and thaw-retry ({@code
   * FreezeFlowTest}) point at workflows that do not exist until a test adds them; {@code
   * RollbackRunbookTest}'s services ({@link RunbookHosts#services}).
   */
  private static String deployFile() {
    ObjectMapper json = new ObjectMapper();
    ObjectNode services = json.createObjectNode();
    services.putObject("ghost").putObject("github").put("workflow", "missing.yml");
    services.putObject("ghost-retry").putObject("github").put("workflow", "added-later.yml");
    services.putObject("thaw-retry").putObject("github").put("workflow", THAW_RETRY_WORKFLOW);
    services.setAll(RunbookHosts.services(json));
    return json.createObjectNode().set("services", services).toString();
  }

  private static Path tempFile(String prefix, String content) {
    try {
      Path f = Files.createTempFile(prefix, ".json");
      Files.writeString(f, content);
      f.toFile().deleteOnExit();
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
