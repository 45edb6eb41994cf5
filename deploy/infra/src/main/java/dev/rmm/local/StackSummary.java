package dev.rmm.local;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;

/** What a developer needs to use the local stack, printed once it is up. */
final class StackSummary {

  private static final String FORMAT = "  %-20s %s%n";

  private final RmmStack stack;
  private final Path root;
  private final Path home;
  private final Map<String, String> userEnvironment;

  StackSummary(RmmStack stack, Path root, Path home, Map<String, String> userEnvironment) {
    this.stack = stack;
    this.root = root;
    this.home = home;
    this.userEnvironment = userEnvironment;
  }

  void print(PrintStream out) {
    out.println();
    for (RmmService service : RmmService.values()) {
      String url = stack.service(service).baseUrl();
      out.printf(FORMAT, service, url + "   health " + url + "/q/health");
      if (service == RmmService.RELEASE_API) {
        out.printf(FORMAT, "", "OpenAPI " + url + "/q/openapi");
      }
    }
    out.println();
    String kafka = stack.kafkaBootstrapServers();
    out.printf(FORMAT, "Kafka", kafka);
    out.printf(
        FORMAT,
        "",
        "topics: java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn"
            + " -cp \"deploy/infra/target/lib/*\" org.apache.kafka.tools.TopicCommand"
            + " --bootstrap-server "
            + kafka
            + " --list");
    LocalPostgres postgres = stack.postgres();
    out.printf(
        FORMAT,
        "PostgreSQL",
        postgres.jdbcUrl()
            + "   user "
            + LocalPostgres.USER
            + ", password "
            + LocalPostgres.PASSWORD);
    out.printf(FORMAT, "", postgres.psqlCommand());
    out.printf(FORMAT, "Redis", stack.redis().url());
    out.println();
    printToken(out);
    printPolicy(out);
    out.printf(
        FORMAT,
        "Logs",
        home.resolve("logs") + "/<service>.log (Kafka, PostgreSQL, Redis: infra.log)");
    out.printf(FORMAT, "Data", home + " (kept between starts)");
    out.printf(FORMAT, "Audit", auditLine());
    out.printf(FORMAT, "Telegram", connection("TELEGRAM_BOT_TOKEN", "telegram-gateway"));
    out.printf(FORMAT, "GitHub", connection("GITHUB_TOKEN", "deploy-orchestrator"));
    out.println();
    out.println("Ctrl-C stops the stack.");
  }

  private String auditLine() {
    if (isSet(CheckpointKeyFiles.PRIVATE_KEY_VARIABLE)) {
      return "checkpoints signed with your RMM_CHECKPOINTS_PRIVATE_KEY;"
          + " deploy/local/replay verify --public-key <its public key>";
    }
    Path key = home.resolve("checkpoint-signing.pub");
    return "checkpoints signed every minute; deploy/local/replay verify --public-key @"
        + (key.startsWith(root) ? root.relativize(key) : key);
  }

  private void printToken(PrintStream out) {
    if (isSet(ApiToken.TOKENS_VARIABLE)) {
      out.printf(
          FORMAT,
          "API token",
          ApiToken.TOKENS_VARIABLE
              + " comes from your environment; the dev token in "
              + root.relativize(home.resolve("dev-token"))
              + " is not accepted");
      return;
    }
    // the token itself is a secret: never printed, only where to read it
    out.printf(
        FORMAT,
        "API token",
        "in " + root.relativize(home.resolve("dev-token")) + " (any repository; not shown here)");
    out.printf(
        FORMAT,
        "",
        "curl -H \"Authorization: Bearer $(cat "
            + root.relativize(home.resolve("dev-token"))
            + ")\" "
            + stack.service(RmmService.RELEASE_API).baseUrl()
            + "/api/v1/releases/<id>");
  }

  private void printPolicy(PrintStream out) {
    String approvers = userEnvironment.get(LocalStack.APPROVERS_VARIABLE);
    String admins = userEnvironment.get(LocalStack.ADMINS_VARIABLE);
    out.printf(
        FORMAT,
        "Approval policy",
        "approvers "
            + (approvers == null ? LocalStack.DEMO_APPROVERS : approvers)
            + "; admins "
            + (admins == null ? LocalStack.DEMO_ADMINS : admins)
            + (approvers == null && admins == null
                ? " (demo; set "
                    + LocalStack.APPROVERS_VARIABLE
                    + " / "
                    + LocalStack.ADMINS_VARIABLE
                    + ")"
                : ""));
  }

  private String connection(String tokenVariable, String service) {
    return isSet(tokenVariable)
        ? "enabled (" + tokenVariable + " is set; see " + service + ".log)"
        : "disabled (set " + tokenVariable + ")";
  }

  private boolean isSet(String variable) {
    String value = userEnvironment.get(variable);
    return value != null && !value.isBlank();
  }
}
