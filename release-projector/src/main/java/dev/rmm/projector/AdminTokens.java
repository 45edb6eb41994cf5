package dev.rmm.projector;

import dev.rmm.contracts.ApiTokens;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Admin tokens, configured hashed exactly like release-api's (RMM_API_TOKENS); only admin ({@code
 * *}) entries are accepted here.
 */
@ApplicationScoped
public class AdminTokens {

  private final ApiTokens tokens;

  AdminTokens(ProjectorConfig config) {
    this.tokens = ApiTokens.parse(config.api().tokens().orElse(""));
  }

  boolean isAdmin(String authorization) {
    return tokens.repositoryOf(authorization).filter(ApiTokens.ANY_REPOSITORY::equals).isPresent();
  }
}
