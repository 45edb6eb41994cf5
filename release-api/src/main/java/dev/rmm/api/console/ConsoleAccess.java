package dev.rmm.api.console;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.policy.PolicyRegistry;
import dev.rmm.contracts.ApiTokens;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Who may enter the console: a Telegram user the policy knows (an approver or admin of any service
 * or of the default policy, or a viewer), or whoever holds the admin API token ({@code *} in
 * RMM_API_TOKENS). A repository's token is refused: it may read only its own repository's releases,
 * and the console shows all of them.
 */
@ApplicationScoped
public class ConsoleAccess {

  private static final Logger LOG = Logger.getLogger(ConsoleAccess.class);

  private final PolicyRegistry policy;
  private final Set<Long> configuredViewers;
  private final Optional<Path> policyFile;
  private final ApiTokens tokens;

  ConsoleAccess(PolicyRegistry policy, RmmApiConfig config) {
    this.policy = policy;
    this.configuredViewers = ConsoleViewers.ofSetting(config.console().viewers().orElse(""));
    this.policyFile = config.policy().file();
    this.tokens = ApiTokens.parse(config.api().tokens().orElse(""));
  }

  /** Whether the Telegram user {@code id} may look at the console. */
  public boolean mayEnter(long id) {
    return policy.knowsPerson(id) || configuredViewers.contains(id) || fileViewers().contains(id);
  }

  /**
   * What an API token is to the console: {@code "admin"} for the admin token, {@code "pipeline"}
   * for a repository's, empty for a token nobody accepts.
   */
  public Optional<String> tokenKind(String token) {
    // the token check trims control characters away (HTTP headers cannot hold them): a form can,
    // and "the admin token and a NUL" is not the admin token
    if (!TextRules.allows(token.strip(), Kind.LINE)) {
      return Optional.empty();
    }
    return tokens
        .repositoryOf("Bearer " + token.strip())
        .map(r -> ApiTokens.ANY_REPOSITORY.equals(r) ? "admin" : "pipeline");
  }

  /** The policy file's viewers, read at each login (logins are rare; the file may change). */
  private Set<Long> fileViewers() {
    if (policyFile.isEmpty()) {
      return Set.of();
    }
    try {
      return ConsoleViewers.ofPolicyFile(Files.readAllBytes(policyFile.get()));
    } catch (IOException | IllegalArgumentException e) {
      LOG.warnf(
          "Console: the viewers of the policy file %s cannot be read (%s); only approvers, admins"
              + " and RMM_CONSOLE_VIEWERS may log in",
          policyFile.get(), e.getMessage());
      return Set.of();
    }
  }
}
