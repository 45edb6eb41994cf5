package dev.rmm.api.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.json.StrictJson;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The approval policy of each service, from configuration: a default (RMM_POLICY_DEFAULT_*) and
 * per-service policies from a JSON file (RMM_POLICY_FILE):
 *
 * <pre>{"services": {"billing": {"approvers": [{"telegram_id": 1001, "name": "Alice",
 *   "github_login": "alice"}], "quorum": 1, "initiator_may_approve": false, "admins": [1002]}}}
 * </pre>
 *
 * The policy found here is copied into each new release's first event.
 */
@ApplicationScoped
public class PolicyRegistry {

  /** Strict like request bodies: one JSON value, each field once. */
  private static final ObjectMapper POLICY_JSON = StrictJson.strict(new ObjectMapper());

  private final Optional<ApprovalPolicy> defaults;
  private final Map<String, ApprovalPolicy> perService;

  PolicyRegistry(RmmApiConfig config) {
    RmmApiConfig.Policy p = config.policy();
    List<Approver> approvers = parseApprovers(p.defaultApprovers().orElse(""));
    List<Long> admins = parseIds(p.defaultAdmins().orElse(""));
    this.defaults =
        approvers.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new ApprovalPolicy(
                    approvers,
                    p.defaultQuorum().orElse(approvers.size()),
                    p.defaultInitiatorMayApprove(),
                    admins));
    this.perService = p.file().map(PolicyRegistry::readFile).orElse(Map.of());
  }

  /** The policy for a service, or empty when neither a service policy nor a default exists. */
  public Optional<ApprovalPolicy> forService(String service) {
    ApprovalPolicy own = perService.get(service);
    return own != null ? Optional.of(own) : defaults;
  }

  static List<Approver> parseApprovers(String spec) {
    List<Approver> out = new ArrayList<>();
    for (String item : spec.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      String[] parts = item.trim().split(":", 3);
      try {
        long id = Long.parseLong(parts[0].trim());
        String name = parts.length > 1 ? parts[1].trim() : parts[0].trim();
        String login = parts.length > 2 ? parts[2].trim() : null;
        out.add(new Approver(id, name, login));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "approver '" + item.trim() + "' must be telegramId:Name[:githubLogin]", e);
      }
    }
    return out;
  }

  static List<Long> parseIds(String spec) {
    List<Long> out = new ArrayList<>();
    for (String item : spec.split(",")) {
      if (!item.isBlank()) {
        out.add(Long.parseLong(item.trim()));
      }
    }
    return out;
  }

  private static Map<String, ApprovalPolicy> readFile(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the policy file " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The per-service policies of a policy file's content.
   *
   * @throws IllegalStateException saying what is wrong where, for any content that is not a valid
   *     policy file (the service does not start with it)
   */
  public static Map<String, ApprovalPolicy> parse(byte[] json, String source) {
    JsonNode root;
    try {
      root = POLICY_JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(
          "the policy file "
              + source
              + " is not valid JSON: "
              + TextRules.escape(e.getOriginalMessage()),
          e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the policy file " + source, e);
    }
    if (root == null || !root.isObject() || !root.path("services").isObject()) {
      throw new IllegalStateException(
          "the policy file " + source + " must be a JSON object with a \"services\" object");
    }
    Map<String, ApprovalPolicy> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        out.put(e.getKey(), policy(e.getKey(), e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalStateException(
            "policy of service "
                + TextRules.escape(e.getKey())
                + " in "
                + source
                + ": "
                + ex.getMessage(),
            ex);
      }
    }
    return Map.copyOf(out);
  }

  private static ApprovalPolicy policy(String service, JsonNode s) {
    TextRules.check("service", service, Kind.LINE).ifPresent(PolicyRegistry::invalid);
    List<Approver> approvers = new ArrayList<>();
    for (JsonNode a : s.path("approvers")) {
      JsonNode id = a.path("telegram_id");
      if (!isId(id)) {
        invalid("every approver needs a numeric 'telegram_id'");
      }
      String name = a.path("name").asText(id.asText());
      String login = a.path("github_login").asText(null);
      TextRules.check("name", name, Kind.LINE).ifPresent(PolicyRegistry::invalid);
      TextRules.check("github_login", login, Kind.LINE).ifPresent(PolicyRegistry::invalid);
      approvers.add(new Approver(id.asLong(), name, login));
    }
    List<Long> admins = new ArrayList<>();
    for (JsonNode a : s.path("admins")) {
      if (!isId(a)) {
        invalid("'admins' holds numeric Telegram user ids");
      }
      admins.add(a.asLong());
    }
    return new ApprovalPolicy(
        approvers,
        s.path("quorum").asInt(approvers.size()),
        s.path("initiator_may_approve").asBoolean(false),
        admins);
  }

  /** A Telegram user id: an integer, or a string of digits. */
  private static boolean isId(JsonNode n) {
    return (n.isIntegralNumber() && n.canConvertToLong())
        || (n.isTextual() && n.asText().matches("-?[0-9]{1,18}"));
  }

  private static void invalid(String problem) {
    throw new IllegalArgumentException(problem);
  }
}
