package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ApiTokensTest {

  @Test
  void givenHashedEntries_whenATokenIsPresented_thenItsRepositoryIsFound() {
    ApiTokens tokens =
        ApiTokens.parse(
            ApiTokens.entry("acme/billing", "billing-secret")
                + ","
                + ApiTokens.entry(ApiTokens.ANY_REPOSITORY, "admin-secret"));

    assertThat(tokens.repositoryOf("Bearer billing-secret")).contains("acme/billing");
    assertThat(tokens.repositoryOf("bearer admin-secret")).contains("*");
    assertThat(tokens.repositoryOf("Bearer wrong")).isEmpty();
    assertThat(tokens.repositoryOf("Basic YWxhZGRpbjpvcGVuc2VzYW1l")).isEmpty();
    assertThat(tokens.repositoryOf(null)).isEmpty();
  }

  @Test
  void theEntryIsTheSha256OfTheTokenInLowerCaseHex() {
    // printf %s test-admin-token | sha256sum
    assertThat(ApiTokens.entry("*", "test-admin-token"))
        .isEqualTo("*=sha256:17d6bfe05d1b1fb7bc499f8e3f639c7b3eda4c40f321eef8887a0c04c89a99c5");
  }

  @Test
  void givenAMalformedEntry_thenTheErrorNeverShowsIt() {
    assertThatThrownBy(() -> ApiTokens.parse("acme/billing=plaintext-secret"))
        .hasMessageContaining("owner/repo=sha256:<hex>")
        .hasMessageNotContaining("plaintext-secret");
    assertThatThrownBy(() -> ApiTokens.parse("acme/billing=sha256:not-hex-secret"))
        .hasMessageNotContaining("not-hex-secret");
    assertThat(ApiTokens.parse("").isEmpty()).isTrue();
    assertThat(ApiTokens.parse(null).isEmpty()).isTrue();
  }
}
