package dev.rmm.orchestrator.runbook;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Any deploy file text is either refused with {@link DeployFile.Invalid} (the one documented error,
 * with a message) or parsed; and for every service of a parsed file, with any rollback tag, the
 * runbook plan is made or refused with a reason, never an exception. A plan that is made is sane:
 * hosts with pinned keys and real ports, positive timeouts, at least one health attempt, and no
 * unsafe tag in its commands. Regression mode runs the seeds under {@code
 * src/test/resources/.../DeployFileFuzzTestInputs}; {@code deploy/fuzz/run deploy-file 10m} fuzzes.
 */
class DeployFileFuzzTest {

  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._/:@%+=,~-]*");

  @FuzzTest(maxDuration = "20s")
  void givenAnyDeployFile_thenItIsRefusedAsInvalidOrEveryPlanIsMadeOrRefused(
      FuzzedDataProvider in) {
    // the first line is the rollback's tag, the rest the file: seeds stay readable text
    String input = in.consumeRemainingAsString();
    int newline = input.indexOf('\n');
    String tag = newline < 0 ? "v1.0.0" : input.substring(0, newline);
    String text = newline < 0 ? input : input.substring(newline + 1);
    JsonNode services;
    try {
      services = DeployFile.parse(text);
    } catch (DeployFile.Invalid e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    RunbookPlans plans =
        new RunbookPlans(new DeployFile(services, variable -> "key of " + variable));
    List<String> names = new ArrayList<>();
    services.fieldNames().forEachRemaining(names::add);
    names.add("billing");
    for (String service : names) {
      RunbookPlans.Plan plan = plans.plan(spec(service), tag);
      if (plan.missing() != null) {
        assertThat(plan.missing()).isNotBlank();
        continue;
      }
      assertThat(SAFE.matcher(tag).matches()).isTrue();
      assertThat(SAFE.matcher(service).matches()).isTrue();
      assertThat(plan.hosts()).isNotEmpty();
      assertThat(plan.hosts())
          .allSatisfy(
              h -> {
                assertThat(h.port()).isBetween(1, 65535);
                assertThat(h.name()).isNotBlank();
                assertThat(h.hostKeyLine()).isNotBlank();
              });
      assertThat(plan.stepTimeout()).isPositive();
      assertThat(plan.healthFirstWait().isNegative()).isFalse();
      assertThat(plan.healthPause().isNegative()).isFalse();
      assertThat(plan.healthAttempts()).isBetween(1, 100);
      assertThat(plan.privateKey()).isNotBlank();
    }
  }

  private static ReleaseSpec spec(String service) {
    return new ReleaseSpec(
        service, "v1.0.0", "ci", "1", "https://x/1", "main", "acme/" + service, "3f2c1a9");
  }
}
