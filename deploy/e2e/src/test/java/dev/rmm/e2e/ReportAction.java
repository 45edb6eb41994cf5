package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline's own way of talking to rmm: the script of {@code .github/actions/rmm-report} (the
 * composite action every workflow template uses), run with bash, curl and jq as a GitHub runner
 * runs it, with the variables GitHub sets for a run on a tag ({@code GITHUB_REF}, {@code
 * GITHUB_SHA}: the commit the tag points at when the run starts, ...). So a test drives release-api
 * exactly as the workflows do, bodies and all, not with bodies of its own.
 */
final class ReportAction {

  /** How a run of the action ended: its exit code, what it printed, and its step outputs. */
  record Run(int exit, String output, Map<String, String> outputs) {}

  private final String rmmUrl;
  private final String token;
  private final String repository;
  private final String tag;
  private final String runId;

  /**
   * The action as it runs in the workflows of {@code repository} on {@code tag}, run {@code runId},
   * talking to rmm at {@code rmmUrl} with the repository's rmm token.
   */
  ReportAction(String rmmUrl, String token, String repository, String tag, String runId) {
    this.rmmUrl = rmmUrl;
    this.token = token;
    this.repository = repository;
    this.tag = tag;
    this.runId = runId;
  }

  /** {@code mode: create} in a run of the tag at {@code commit}; its output is the release id. */
  Run create(String service, String commit) {
    Map<String, String> env = new HashMap<>();
    env.put("RMM_MODE", "create");
    env.put("RMM_SERVICE", service);
    return run(commit, env);
  }

  /** {@code mode: step} reporting {@code status} from a run of the tag at {@code commit}. */
  Run step(String releaseId, String status, String commit) {
    Map<String, String> env = new HashMap<>();
    env.put("RMM_MODE", "step");
    env.put("RMM_RELEASE_ID", releaseId);
    env.put("RMM_STATUS", status);
    return run(commit, env);
  }

  private Run run(String commit, Map<String, String> inputs) {
    try {
      Path dir = Files.createTempDirectory("rmm-report-");
      Path output = dir.resolve("github-output");
      Files.createFile(output);
      ProcessBuilder pb =
          new ProcessBuilder("bash", "--noprofile", "--norc", "-e", "-c", script())
              .directory(dir.toFile())
              .redirectErrorStream(true);
      Map<String, String> env = pb.environment();
      // nothing of this machine's own GitHub or rmm settings, if it has any
      env.keySet().removeIf(k -> k.startsWith("GITHUB_") || k.startsWith("RMM_"));
      env.keySet().removeIf(k -> k.startsWith("ACTIONS_"));
      // the action's inputs (runs.steps[0].env maps each input to one of these)
      env.put("RMM_URL", rmmUrl);
      env.put("RMM_TOKEN", token);
      env.put("RMM_AUDIENCE", "rmm");
      env.put("RMM_MODE", "step");
      env.put("RMM_SERVICE", "");
      env.put("RMM_RELEASE_ID", "");
      env.put("RMM_STATUS", "");
      env.put("RMM_DETAIL", "");
      env.put("RMM_DISPATCH_ID", "");
      env.putAll(inputs);
      // what GitHub sets for a run started by a push of the tag
      env.put("GITHUB_REF", "refs/tags/" + tag);
      env.put("GITHUB_REF_NAME", tag);
      env.put("GITHUB_SHA", commit);
      env.put("GITHUB_ACTOR", "octocat");
      env.put("GITHUB_RUN_ID", runId);
      env.put("GITHUB_SERVER_URL", "https://github.com");
      env.put("GITHUB_REPOSITORY", repository);
      env.put("GITHUB_OUTPUT", output.toString());
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the action finished").isTrue();
      Map<String, String> outputs = new HashMap<>();
      for (String line : Files.readAllLines(output)) {
        int eq = line.indexOf('=');
        if (eq > 0) {
          outputs.put(line.substring(0, eq), line.substring(eq + 1));
        }
      }
      return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), outputs);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The action's script, as the repository has it. */
  private static String script() throws IOException {
    JsonNode action =
        new ObjectMapper(new YAMLFactory())
            .readTree(root().resolve(".github/actions/rmm-report/action.yml").toFile());
    String script = action.at("/runs/steps/0/run").asText(null);
    assertThat(script).as("the run script of .github/actions/rmm-report").isNotBlank();
    return script;
  }

  private static Path root() {
    Path dir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    while (dir != null
        && !Files.isRegularFile(dir.resolve(".github/actions/rmm-report/action.yml"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root, with .github/actions/rmm-report").isNotNull();
    return dir;
  }
}
