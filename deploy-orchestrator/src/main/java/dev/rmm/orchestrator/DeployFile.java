package dev.rmm.orchestrator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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

  /** A deploy file that is not one: the only error {@link #parse} throws, with what is wrong. */
  public static final class Invalid extends IllegalArgumentException {
    Invalid(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @Inject
  DeployFile(OrchestratorConfig config) {
    this(
        config
            .deploy()
            .file()
            .map(
                f -> {
                  try {
                    return parse(Files.readString(f));
                  } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the deploy file " + f, e);
                  } catch (Invalid e) {
                    throw new Invalid("the deploy file " + f + " " + e.getMessage(), e);
                  }
                })
            .orElse(EventCodec.mapper().createObjectNode()),
        System::getenv);
  }

  /**
   * The {@code services} object of a deploy file's text: one JSON object, nothing after it, whose
   * {@code services}, when present, is an object of objects.
   *
   * @throws Invalid otherwise, saying what is wrong
   */
  public static JsonNode parse(String text) {
    JsonNode root;
    try (JsonParser p = READER.createParser(text)) {
      root = READER.readTree(p);
      if (root != null && p.nextToken() != null) {
        throw new Invalid("has more after its JSON object, at " + p.currentLocation(), null);
      }
    } catch (JsonProcessingException e) {
      throw new Invalid("is not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new Invalid("is not JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new Invalid("must be a JSON object {\"services\": {...}}", null);
    }
    JsonNode services = root.path("services");
    if (services.isMissingNode()) {
      return EventCodec.mapper().createObjectNode();
    }
    if (!services.isObject()) {
      throw new Invalid("must have \"services\" as an object of services by name", null);
    }
    for (var e : services.properties()) {
      if (!e.getValue().isObject()) {
        throw new Invalid("has service " + e.getKey() + " that is not an object", null);
      }
    }
    return services;
  }

  /** Strict JSON: no duplicate keys, so a file never means two things. */
  private static final ObjectMapper READER =
      EventCodec.mapper().copy().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

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
