package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The local stack bounds each service's heap unless told otherwise (issue 12: memory). */
class LocalStackJvmOptionsTest {

  @Test
  void givenNoOptionsSet_whenTheServicesStart_thenTheirHeapIsBounded() {
    assertThat(LocalStack.jvmOptions(null))
        .isEqualTo(LocalStack.DEFAULT_JVM_OPTIONS)
        .contains("-Xmx512m");
    assertThat(LocalStack.jvmOptions("  ")).isEqualTo(LocalStack.DEFAULT_JVM_OPTIONS);
  }

  @Test
  void givenOptionsSet_whenTheServicesStart_thenTheyReplaceTheDefaults() {
    assertThat(LocalStack.jvmOptions(" -Xmx1g  -XX:+UseZGC "))
        .containsExactly("-Xmx1g", "-XX:+UseZGC");
  }
}
