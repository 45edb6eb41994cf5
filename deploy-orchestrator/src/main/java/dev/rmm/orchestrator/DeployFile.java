package dev.rmm.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.function.Function;

/**
 * The per-service deploy settings (RMM_DEPLOY_FILE), read once, and the environment that holds the
 * secrets they name (tokens and keys are never in the file itself):
 *
 * <pre>{"services": {"billing": {
 *   "github": {"repository": "acme/billing", "workflow": "production.yml", "ref": "main",
 *              "token_variable": "GITHUB_TOKEN_BILLING"},
 *   "ssh": {"hosts": ["prod-1.acme.internal:22"], "user": "deploy",
 *           "private_key_variable": "RMM_SSH_KEY_BILLING",
 *           "host_keys": {"prod-1.acme.internal:22": "ecdsa-sha2-nistp256 AAAA..."},
 *           "workdir": "/srv/billing", "health_url": "http://127.0.0.1:8080/health"}}}}</pre>
 */
@ApplicationScoped
public class DeployFile {

  private final JsonNode services;
  private final Function<String, String> environment;

  @Inject
  DeployFile(OrchestratorConfig config) {
    this(
        config
            .deploy()
            .file()
            .map(
                f -> {
                  try {
                    return EventCodec.mapper().readTree(Files.readString(f)).path("services");
                  } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the deploy file " + f, e);
                  }
                })
            .orElse(EventCodec.mapper().createObjectNode()),
        System::getenv);
  }

  public DeployFile(JsonNode services, Function<String, String> environment) {
    this.services = services;
    this.environment = environment;
  }

  /** One section of a service ({@code github}, {@code ssh}); a missing node when absent. */
  public JsonNode section(String service, String name) {
    return services.path(service).path(name);
  }

  /** A secret from the environment by variable name; null when unset or blank. */
  public String secret(String variable) {
    String v = environment.apply(variable);
    return v == null || v.isBlank() ? null : v;
  }
}
