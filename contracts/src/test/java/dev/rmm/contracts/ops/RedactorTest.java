package dev.rmm.contracts.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Secrets never reach the log. */
class RedactorTest {

  @Test
  void secretValuesFromTheEnvironmentAndSecretShapesAreMasked() {
    Redactor r =
        Redactor.fromEnvironment(
            Map.of("DB_PASSWORD", "hunter2hunter2", "PATH", "/usr/bin", "SHORT_TOKEN", "abc"));

    assertThat(r.redact("psql postgres://app:hunter2hunter2@db/app"))
        .isEqualTo("psql postgres://app:***@db/app");
    assertThat(r.redact("export TOKEN=s3cr3t-value; echo done"))
        .isEqualTo("export TOKEN=*** echo done");
    assertThat(r.redact("using ghp_abcdefghijklmnopqrstuvwxyz012345")).isEqualTo("using ***");
    assertThat(
            r.redact(
                "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----"))
        .isEqualTo("***");
    assertThat(r.redact("PATH is /usr/bin, abc stays")).isEqualTo("PATH is /usr/bin, abc stays");
  }

  @Test
  void givenApiKeysAndBearerTokens_thenTheyAreMasked() {
    Redactor r = new Redactor(List.of());

    assertThat(r.redact("OPENAI key sk-proj-abcdefghijklmnopqrstuvwxyz0123 used"))
        .isEqualTo("OPENAI key *** used");
    assertThat(r.redact("aws AKIAIOSFODNN7EXAMPLE here")).isEqualTo("aws *** here");
    assertThat(r.redact("Authorization: Bearer eyJhbGciOi.payload.sig rest"))
        .isEqualTo("Authorization: Bearer *** rest");
    assertThat(r.redact("a task-list and a desk-top stay"))
        .isEqualTo("a task-list and a desk-top stay");
  }

  @Test
  void givenSecretsAddedFromConfiguration_thenTheyAreMaskedBesidesTheEnvironments() {
    Redactor r =
        Redactor.fromEnvironment(Map.of("DB_PASSWORD", "hunter2hunter2"))
            .with(java.util.Arrays.asList("configured-key-1234", null, "abc"));

    assertThat(r.redact("hunter2hunter2 configured-key-1234 abc")).isEqualTo("*** *** abc");
  }

  @Test
  void givenATailCutThroughASecret_thenTheSecretIsRedactedBeforeTheCut() {
    Redactor r = new Redactor(List.of("hunter2hunter2"));
    String raw = "x".repeat(5000) + " hunter2hunter2 " + "y".repeat(10);

    String tail = r.redactTail(raw, 20);

    assertThat(tail).hasSize(20).startsWith("\u2026").doesNotContain("hunter").doesNotContain("r2");
    assertThat(r.redactTail("short", 20)).isEqualTo("short");
  }
}
