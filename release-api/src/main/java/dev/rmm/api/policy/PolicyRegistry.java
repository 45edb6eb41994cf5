package dev.rmm.api.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.EventCodec;
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
    JsonNode root;
    try {
      root = EventCodec.mapper().readTree(Files.readAllBytes(file));
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the policy file " + file + ": " + e.getMessage(), e);
    }
    Map<String, ApprovalPolicy> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode s = e.getValue();
      List<Approver> approvers = new ArrayList<>();
      for (JsonNode a : s.path("approvers")) {
        approvers.add(
            new Approver(
                a.path("telegram_id").asLong(),
                a.path("name").asText(a.path("telegram_id").asText()),
                a.path("github_login").asText(null)));
      }
      List<Long> admins = new ArrayList<>();
      s.path("admins").forEach(a -> admins.add(a.asLong()));
      try {
        out.put(
            e.getKey(),
            new ApprovalPolicy(
                approvers,
                s.path("quorum").asInt(approvers.size()),
                s.path("initiator_may_approve").asBoolean(false),
                admins));
      } catch (IllegalArgumentException ex) {
        throw new IllegalStateException(
            "policy of service " + e.getKey() + " in " + file + ": " + ex.getMessage(), ex);
      }
    }
    return Map.copyOf(out);
  }
}
