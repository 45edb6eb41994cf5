package dev.rmm.api.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rmm.api.ConfigChecks;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.json.StrictJson;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.FreezeWindow;
import dev.rmm.contracts.PolicyInForce;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The policy of each service, from configuration: a default (RMM_POLICY_DEFAULT_*) and per-service
 * policies from a JSON file (RMM_POLICY_FILE):
 *
 * <pre>{"services": {"billing": {"repository": "acme/billing",
 *   "job_workflow_refs": ["acme/billing/.github/workflows/release.yml@refs/tags/*"],
 *   "approvers": [{"telegram_id": 1001, "name": "Alice", "github_login": "alice"}],
 *   "quorum": 1, "initiator_may_approve": false, "admins": [1002], "on_behalf_counts": false,
 *   "approval_expiry_minutes": 1440, "break_glass_window_minutes": 15}}}
 * </pre>
 *
 * <p><b>Role quorum and people</b> (issue 15 point 3): an approver may hold roles ({@code "roles":
 * ["qa"]}), a service may require approvals by role beside its k of n ({@code "roles": {"qa": 1,
 * "lead": 1}}, one approver filling one role only, see {@link dev.rmm.contracts.RoleQuorum}), and a
 * top-level {@code "people"} directory gives a person's GitHub logins once for every service:
 *
 * <pre>{"people": [{"telegram_id": 1003, "github_logins": ["carol", "carol-work"]}],
 *  "services": {"billing": {"approvers": [{"telegram_id": 1003, "name": "Carol", "roles": ["qa"]},
 *   {"telegram_id": 1004, "name": "Lena", "roles": ["lead"]}], "roles": {"qa": 1, "lead": 1}}}}
 * </pre>
 *
 * Each service's approvers get the logins the directory gives them, so "the initiator may not
 * approve" knows them by any of their logins, in every service, without a {@code github_login} on
 * each approver.
 *
 * <p>The approval policy found here is copied into each new release's first event; the repository
 * binds the service to the one repository whose pipelines may release it (docs/security.md).
 *
 * <p><b>Policy as data in the log</b> (issue 13, point 9): once started, the policy in force is the
 * newest event of the policy topic ({@link PolicyLog}), not this instance's copy of the file. At
 * start-up and whenever the file changes ({@link PolicyReloads}) the file's policy is recorded
 * there as a {@code release.policy-changed.v1} event, unless it is already the one in force; a file
 * that does not parse is refused with a log line and an alert, and the policy in force stays.
 */
@ApplicationScoped
public class PolicyRegistry implements ServicePolicies {

  /** Strict like request bodies: one JSON value, each field once. */
  private static final ObjectMapper POLICY_JSON = StrictJson.strict(new ObjectMapper());

  /** A declared repository: {@code owner/name}, as the API's {@code repository} field. */
  private static final Pattern REPOSITORY =
      Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");

  /** The longest service name: the API's (a longer one could never be released). */
  private static final int MAX_SERVICE = 100;

  /** The longest approver name or GitHub login (a card lists every approver's name). */
  private static final int MAX_NAME = 100;

  /**
   * A GitHub login, as the API accepts an OIDC token's actor claim: letters, digits and hyphens, at
   * most 39, not starting with a hyphen; an app's bot account ends in {@code [bot]}.
   */
  private static final Pattern GITHUB_LOGIN =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}(\\[bot\\])?");

  /** A role name: a letter, then letters, digits, '_' or '-' (any script: "qa", "тестировщик"). */
  private static final Pattern ROLE = Pattern.compile("\\p{L}[\\p{L}\\p{N}_-]{0,31}");

  /** The longest {@code job_workflow_ref} pattern. */
  private static final int MAX_WORKFLOW_REF = 512;

  private final Optional<ApprovalPolicy> defaults;
  private final Map<String, ServicePolicy> perService;
  private final boolean allowUnbound;
  private final RmmApiConfig config;
  private final String bootstrap;
  private volatile PolicyLog log;
  private PolicyReloads reloads;

  PolicyRegistry(
      RmmApiConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
    ConfigChecks.require(config);
    this.config = config;
    this.bootstrap = bootstrap;
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
                        admins,
                        p.defaultOnBehalfCounts(),
                        p.defaultApprovalExpiryMinutes().orElse(null))
                    .withBreakGlassWindowMinutes(p.defaultBreakGlassWindowMinutes().orElse(null)));
    this.perService = p.file().map(PolicyRegistry::readFile).orElse(Map.of());
    this.allowUnbound = p.allowUnboundServices();
  }

  /**
   * Reads the policy topic, records the file's policy when it is not the one in force, and starts
   * watching the file. Called by the writer before it decides anything, once the topics exist.
   */
  public synchronized void start() {
    if (log != null) {
      return;
    }
    PolicyLog started = new PolicyLog(bootstrap, config.topics().policies());
    started.start(config.topics().startupWait());
    log = started;
    reloads = new PolicyReloads(config, bootstrap, started, defaults.orElse(null), perService);
    reloads.start();
  }

  void onStop(@Observes ShutdownEvent ev) {
    if (reloads != null) {
      reloads.close();
    }
    if (log != null) {
      log.close();
    }
  }

  /**
   * The policy in force for a decision on a release of {@code service}: the newest policy event's,
   * with its version; null before the policy log is read (then a release's recorded policy
   * decides).
   */
  public PolicyInForce inForce(String service) {
    PolicyLog l = log;
    return l == null ? null : l.history().inForce(service);
  }

  /** The version of the policy in force, 0 before any is recorded. */
  public long version() {
    PolicyLog l = log;
    return l == null ? 0 : l.history().version();
  }

  @Override
  public Optional<ServicePolicy> of(String service) {
    PolicyLog l = log;
    PolicyChanged current = l == null ? null : l.history().current();
    if (current != null) {
      PolicyChanged.Service own = current.services().get(service);
      if (own != null) {
        return Optional.of(
            new ServicePolicy(own.approval(), own.repository(), own.jobWorkflowRefs()));
      }
      return Optional.ofNullable(current.defaultPolicy()).map(ServicePolicy::unbound);
    }
    ServicePolicy own = perService.get(service);
    return own != null ? Optional.of(own) : defaults.map(ServicePolicy::unbound);
  }

  /**
   * Whether the policy in force names {@code telegramId} as an approver or admin of any service or
   * of the default policy (before the policy log is read: this instance's file and defaults). The
   * web console lets such people in.
   */
  public boolean knowsPerson(long telegramId) {
    PolicyLog l = log;
    PolicyChanged current = l == null ? null : l.history().current();
    List<ApprovalPolicy> policies = new ArrayList<>();
    if (current != null) {
      current.services().values().forEach(s -> policies.add(s.approval()));
      if (current.defaultPolicy() != null) {
        policies.add(current.defaultPolicy());
      }
    } else {
      perService.values().forEach(s -> policies.add(s.approval()));
      defaults.ifPresent(policies::add);
    }
    return policies.stream()
        .anyMatch(p -> p.approver(telegramId).isPresent() || p.isAdmin(telegramId));
  }

  @Override
  public boolean allowsUnbound() {
    return allowUnbound;
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
        // the same rules as the file's approvers: these names reach the cards and the log
        for (String[] text : new String[][] {{"name", name}, {"github_login", login}}) {
          TextRules.check(text[0], text[1], Kind.LINE)
              .ifPresent(
                  p -> {
                    throw new IllegalArgumentException(
                        "RMM_POLICY_DEFAULT_APPROVERS (rmm.policy.default-approvers): " + p);
                  });
          if (text[1] != null && text[1].codePointCount(0, text[1].length()) > MAX_NAME) {
            throw new IllegalArgumentException(
                "RMM_POLICY_DEFAULT_APPROVERS (rmm.policy.default-approvers): '"
                    + text[0]
                    + "' is longer than "
                    + MAX_NAME
                    + " characters");
          }
        }
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

  static Map<String, ServicePolicy> readFile(Path file) {
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
  public static Map<String, ServicePolicy> parse(byte[] json, String source) {
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
    Map<Long, List<String>> people;
    try {
      people = PeopleDirectory.parse(root.get("people"));
    } catch (IllegalArgumentException ex) {
      throw new IllegalStateException(
          "the 'people' directory in " + source + ": " + ex.getMessage(), ex);
    }
    freezes(root, source); // a file with a bad freeze window is refused as a whole
    Map<String, ServicePolicy> out = new HashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.path("services").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      try {
        out.put(e.getKey(), policy(e.getKey(), e.getValue(), people));
      } catch (IllegalArgumentException ex) {
        throw new IllegalStateException(
            "policy of service " + shown(e.getKey()) + " in " + source + ": " + ex.getMessage(),
            ex);
      }
    }
    return Map.copyOf(out);
  }

  /**
   * The freeze windows of a policy file's content that {@link #parse} accepted (issue 15 point 5):
   * its top-level {@code "freezes"}, none when absent ({@link FreezeFile}).
   *
   * @throws IllegalStateException naming the window and field that is wrong
   */
  public static List<FreezeWindow> freezes(byte[] json, String source) {
    try {
      return freezes(POLICY_JSON.readTree(json), source);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the policy file " + source, e);
    }
  }

  private static List<FreezeWindow> freezes(JsonNode root, String source) {
    try {
      return FreezeFile.parse(root == null ? null : root.get("freezes"));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("the policy file " + source + ": " + e.getMessage(), e);
    }
  }

  private static ServicePolicy policy(String service, JsonNode s, Map<Long, List<String>> people) {
    TextRules.check("service", service, Kind.LINE).ifPresent(PolicyRegistry::invalid);
    checkLength("service", service, MAX_SERVICE);
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
      checkLength("name", name, MAX_NAME);
      checkLength("github_login", login, MAX_NAME);
      approvers.add(
          PeopleDirectory.withLogins(
              new Approver(id.asLong(), name, login).withRoles(roles(a.get("roles"))), people));
    }
    List<Long> admins = new ArrayList<>();
    for (JsonNode a : s.path("admins")) {
      if (!isId(a)) {
        invalid("'admins' holds numeric Telegram user ids");
      }
      admins.add(a.asLong());
    }
    ApprovalPolicy approval =
        new ApprovalPolicy(
            approvers,
            s.path("quorum").asInt(approvers.size()),
            s.path("initiator_may_approve").asBoolean(false),
            admins,
            s.path("on_behalf_counts").asBoolean(false),
            approvalExpiryMinutes(s.get("approval_expiry_minutes")),
            requiredRoles(s.get("roles"), approvers),
            breakGlassWindowMinutes(s.get("break_glass_window_minutes")));
    return new ServicePolicy(approval, repository(s.get("repository")), workflowRefs(s));
  }

  /** The roles an approver holds ({@code "roles": ["qa", "lead"]}); empty when none is named. */
  private static List<String> roles(JsonNode r) {
    if (r == null || r.isNull()) {
      return List.of();
    }
    if (!r.isArray()) {
      invalid("an approver's 'roles' is a list of role names such as [\"qa\", \"lead\"]");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode role : r) {
      out.add(roleName(role, "an approver's 'roles'"));
    }
    if (out.stream().distinct().count() != out.size()) {
      invalid("an approver's 'roles' names a role twice");
    }
    return out;
  }

  /**
   * The service's role quorum ({@code "roles": {"qa": 1, "lead": 1}}), in the file's order; empty
   * when it names none. A role no approver of the service holds is refused by name: the quorum
   * could never be met, and the likeliest cause is a typo.
   */
  private static Map<String, Integer> requiredRoles(JsonNode r, List<Approver> approvers) {
    if (r == null || r.isNull()) {
      return Map.of();
    }
    if (!r.isObject()) {
      invalid("the service's 'roles' maps each role to the approvals it needs, e.g. {\"qa\": 1}");
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = r.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      String role = roleName(new TextNode(e.getKey()), "the service's 'roles'");
      JsonNode count = e.getValue();
      if (!count.isIntegralNumber() || !count.canConvertToInt() || count.asInt() < 1) {
        invalid("'roles' needs a whole number of approvals, at least 1, for role " + role);
      }
      if (approvers.stream().noneMatch(a -> a.roles().contains(role))) {
        invalid("'roles' requires role " + role + ", which no approver of the service holds");
      }
      out.put(role, count.asInt());
    }
    return out;
  }

  /** A role name, or the file is refused naming where it is (never repeating a bad name raw). */
  private static String roleName(JsonNode role, String where) {
    if (!role.isTextual()) {
      invalid(where + " holds role names (text)");
    }
    String name = role.asText();
    TextRules.check("roles", name, Kind.LINE).ifPresent(PolicyRegistry::invalid);
    checkLength("roles", name, 32);
    if (!ROLE.matcher(name).matches()) {
      invalid(where + " holds role names: a letter, then letters, digits, '_' or '-'");
    }
    return name;
  }

  /** Whether {@code login} has the shape of a GitHub login. */
  static boolean isGithubLogin(String login) {
    return GITHUB_LOGIN.matcher(login).matches();
  }

  /** How long the service's approvals count, in minutes; null: the default (24 h). */
  private static Integer approvalExpiryMinutes(JsonNode m) {
    if (m == null || m.isNull()) {
      return null;
    }
    if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 1) {
      invalid("'approval_expiry_minutes' is a whole number of minutes, at least 1");
    }
    return m.asInt();
  }

  /**
   * How long the service's break-glass requests wait for a second admin, in minutes; null: the
   * default (15).
   */
  private static Integer breakGlassWindowMinutes(JsonNode m) {
    if (m == null || m.isNull()) {
      return null;
    }
    if (!m.isIntegralNumber()
        || !m.canConvertToInt()
        || !ApprovalPolicy.isBreakGlassWindow(m.asInt())) {
      invalid(
          "'break_glass_window_minutes' is a whole number of minutes from "
              + ApprovalPolicy.MIN_BREAK_GLASS_WINDOW_MINUTES
              + " to "
              + ApprovalPolicy.MAX_BREAK_GLASS_WINDOW_MINUTES);
    }
    return m.asInt();
  }

  /** The declared repository, or null when the policy declares none. */
  private static String repository(JsonNode r) {
    if (r == null || r.isNull()) {
      return null;
    }
    if (!r.isTextual() || !REPOSITORY.matcher(r.asText()).matches()) {
      invalid("'repository' is the one repository that releases the service, as \"owner/name\"");
    }
    return r.asText();
  }

  private static List<String> workflowRefs(JsonNode s) {
    JsonNode refs = s.path("job_workflow_refs");
    if (refs.isMissingNode() || refs.isNull()) {
      return List.of();
    }
    if (!refs.isArray()) {
      invalid("'job_workflow_refs' is a list of job_workflow_ref patterns");
    }
    if (!s.hasNonNull("repository")) {
      invalid("'job_workflow_refs' needs the service's 'repository'");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode ref : refs) {
      if (!ref.isTextual() || ref.asText().isBlank()) {
        invalid(
            "'job_workflow_refs' holds non-empty strings such as owner/repo/.github/workflows/release.yml@refs/tags/*");
      }
      TextRules.check("job_workflow_refs", ref.asText(), Kind.LINE)
          .ifPresent(PolicyRegistry::invalid);
      checkLength("job_workflow_refs", ref.asText(), MAX_WORKFLOW_REF);
      out.add(ref.asText());
    }
    return out;
  }

  /** A Telegram user id: an integer, or a string of digits. */
  static boolean isId(JsonNode n) {
    return (n.isIntegralNumber() && n.canConvertToLong())
        || (n.isTextual() && n.asText().matches("-?[0-9]{1,18}"));
  }

  /**
   * A text of the policy reaches the cards and the alerts chat (a Telegram message holds at most
   * 4096 characters) and every log line about the policy, so it is refused past a length no real
   * name needs, with a message that gives the length, never the text.
   */
  private static void checkLength(String field, String value, int max) {
    if (value != null && value.codePointCount(0, value.length()) > max) {
      invalid(
          "'"
              + field
              + "' is "
              + value.codePointCount(0, value.length())
              + " characters long; at most "
              + max
              + " are allowed");
    }
  }

  /** An untrusted text for a message: forbidden characters as U+XXXX, and at most 64 shown. */
  private static String shown(String value) {
    String escaped = TextRules.escape(value);
    return escaped.codePointCount(0, escaped.length()) <= 64
        ? escaped
        : escaped.substring(0, escaped.offsetByCodePoints(0, 64)) + "…";
  }

  private static void invalid(String problem) {
    throw new IllegalArgumentException(problem);
  }
}
