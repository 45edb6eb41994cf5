package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, point 6: once the production workflow has told rmm "deploying", every failed step moves
 * the release on (production_failed, or production_rollback and its end), so nothing waits in
 * deploying for the 30-minute stuck alert. The job's steps are run on paper the way GitHub Actions
 * runs them: a step without {@code if} runs while no step failed, a step with {@code if} runs when
 * its condition holds ({@code failure()}, {@code steps.<id>.outcome}), a step that did not run is
 * {@code skipped}. Each step that runs in a good deploy is failed in turn.
 */
class ProductionFailureReportTest {

  private static final String PROD =
      ".github/rmm-templates/workflows/on-approve-manual-testing.yml";

  private static List<JsonNode> steps;

  @BeforeAll
  static void readTheWorkflow() throws IOException {
    Path dir =
        Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve(".github/rmm-templates"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("the repository root, with .github/rmm-templates").isNotNull();
    JsonNode job =
        new ObjectMapper(new YAMLFactory())
            .readTree(dir.resolve(PROD).toFile())
            .path("jobs")
            .path("production");
    steps = new ArrayList<>();
    job.path("steps").forEach(steps::add);
    assertThat(steps).isNotEmpty();
  }

  @Test
  void givenAGoodDeploy_thenItReportsDeployingAndDeployedOnly() {
    assertThat(reported(-1)).containsExactly("manual_test_passed?", "deploying", "deployed");
  }

  @Test
  void givenAnyStepAfterDeployingFails_thenTheReleaseIsReportedFailedOrRolledBack() {
    int deploying = index("Report deploying");
    int deployed = index("Report deployed");
    for (int failing = deploying + 1; failing < deployed; failing++) {
      List<String> reports = reported(failing);
      String step = steps.get(failing).path("name").asText();
      assertThat(reports).as("failing " + step).startsWith("manual_test_passed?", "deploying");
      assertThat(reports).as("failing " + step).doesNotContain("deployed");
      boolean failed = reports.contains("production_failed");
      boolean rolledBack = reports.contains("production_rollback");
      assertThat(failed ^ rolledBack)
          .as(
              "failing %s reports production_failed or production_rollback, once: %s",
              step, reports)
          .isTrue();
      if (rolledBack) {
        assertThat(reports).as("failing " + step).endsWith("production_rollback", "rollback_done");
      }
    }
  }

  @Test
  void givenTheSshSetupOrTheSavedTagFails_thenItIsProductionFailedWithoutARollback() {
    for (String step : List.of("Set up SSH to production", "Save the tag now in production")) {
      assertThat(reported(index(step)))
          .as("failing " + step)
          .containsExactly("manual_test_passed?", "deploying", "production_failed");
    }
  }

  @Test
  void givenTheDeployOrTheHealthCheckFails_thenItRollsBackAsBefore() {
    for (String step : List.of("Deploy the tag", "Health-check production")) {
      assertThat(reported(index(step)))
          .as("failing " + step)
          .containsExactly(
              "manual_test_passed?", "deploying", "production_rollback", "rollback_done");
    }
  }

  @Test
  void givenTheCheckWithRmmFails_thenNothingIsReported() {
    assertThat(reported(index("Check with rmm"))).containsExactly("manual_test_passed?");
  }

  /**
   * The statuses the run reports to rmm, in order, when the step at {@code failing} fails (-1: none
   * does); {@code manual_test_passed?} is the check. Every step that runs succeeds, except the
   * failing one.
   */
  private static List<String> reported(int failing) {
    Map<String, String> outcomes = new HashMap<>();
    boolean failed = false;
    List<String> reports = new ArrayList<>();
    for (int i = 0; i < steps.size(); i++) {
      JsonNode s = steps.get(i);
      String condition = s.path("if").asText("success()");
      boolean runs = new Condition(condition, failed, outcomes).evaluate();
      String outcome = !runs ? "skipped" : i == failing ? "failure" : "success";
      if (s.hasNonNull("id")) {
        outcomes.put(s.path("id").asText(), outcome);
      }
      if (runs && s.path("uses").asText().equals("./.github/actions/rmm-report")) {
        String status = s.path("with").path("status").asText();
        reports.add(s.path("with").path("mode").asText().equals("check") ? status + "?" : status);
      }
      failed |= outcome.equals("failure");
    }
    return reports;
  }

  private static int index(String namePrefix) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).path("name").asText().startsWith(namePrefix)) {
        return i;
      }
    }
    throw new AssertionError("no step " + namePrefix + " in " + PROD);
  }

  /**
   * The part of GitHub's expression language the template's {@code if:} conditions use: {@code
   * success()}, {@code failure()}, {@code always()}, {@code steps.<id>.outcome}, string literals,
   * {@code == != && || !} and parentheses. Anything else fails the test, so a new construct in the
   * template is noticed here.
   */
  private static final class Condition {
    private final String text;
    private final boolean failed;
    private final Map<String, String> outcomes;
    private int at;

    Condition(String text, boolean failed, Map<String, String> outcomes) {
      this.text = text.strip();
      this.failed = failed;
      this.outcomes = outcomes;
    }

    boolean evaluate() {
      Object v = or();
      skipSpace();
      assertThat(at).as("the whole condition is understood: " + text).isEqualTo(text.length());
      return truthy(v);
    }

    private Object or() {
      Object v = and();
      while (take("||")) {
        Object r = and();
        v = truthy(v) ? v : r;
      }
      return v;
    }

    private Object and() {
      Object v = unary();
      while (take("&&")) {
        Object r = unary();
        v = truthy(v) ? r : v;
      }
      return v;
    }

    private Object unary() {
      skipSpace();
      if (text.startsWith("!", at) && !text.startsWith("!=", at)) {
        at++;
        return !truthy(unary());
      }
      Object left = primary();
      if (take("==")) {
        return String.valueOf(left).equalsIgnoreCase(String.valueOf(primary()));
      }
      if (take("!=")) {
        return !String.valueOf(left).equalsIgnoreCase(String.valueOf(primary()));
      }
      return left;
    }

    private Object primary() {
      skipSpace();
      if (take("(")) {
        Object v = or();
        assertThat(take(")")).as("')' in " + text).isTrue();
        return v;
      }
      if (text.charAt(at) == '\'') {
        int end = text.indexOf('\'', at + 1);
        String s = text.substring(at + 1, end);
        at = end + 1;
        return s;
      }
      int start = at;
      while (at < text.length()
          && (Character.isLetterOrDigit(text.charAt(at)) || "._-".indexOf(text.charAt(at)) >= 0)) {
        at++;
      }
      String word = text.substring(start, at);
      if (take("()")) {
        return switch (word) {
          case "success" -> !failed;
          case "failure" -> failed;
          case "always" -> true;
          default -> throw new AssertionError("unknown function " + word + " in " + text);
        };
      }
      String[] path = word.split("\\.");
      assertThat(path.length == 3 && path[0].equals("steps") && path[2].equals("outcome"))
          .as("only steps.<id>.outcome is understood: " + word + " in " + text)
          .isTrue();
      return outcomes.getOrDefault(path[1], "");
    }

    private boolean take(String token) {
      skipSpace();
      if (text.startsWith(token, at)) {
        at += token.length();
        return true;
      }
      return false;
    }

    private void skipSpace() {
      while (at < text.length() && text.charAt(at) == ' ') {
        at++;
      }
    }

    private static boolean truthy(Object v) {
      return v instanceof Boolean b ? b : !String.valueOf(v).isEmpty();
    }
  }
}
