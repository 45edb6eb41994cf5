package dev.rmm.orchestrator.runbook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.orchestrator.DeployFile;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rollback runbook of a service, from the {@code ssh} section of the deploy file: hosts with
 * their pinned host keys, the user and the environment variable of the private key, the working
 * directory, and the steps, each a shell command with {@code {tag}}, {@code {service}}, {@code
 * {workdir}} and {@code {health_url}} filled in. The defaults follow the original design: roll the
 * migrations back to the tag, check the tag out, rebuild and start the service, then check its
 * health (a first wait, then attempts with a pause).
 */
@ApplicationScoped
public class RunbookPlans {

  /** Default steps, in order; a service may replace any (a blank command skips it). */
  static final Map<String, String> DEFAULT_STEPS = defaults();

  static final String DEFAULT_HEALTH = "curl -fsS -o /dev/null --max-time 5 '{health_url}'";

  /** Values that go into shell commands must be plain: tags, service names, paths, URLs. */
  private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9._/:@%+=,~-]*");

  /** A host and the key it must present. */
  public record Host(String name, int port, String hostKeyLine) {
    @Override
    public String toString() {
      return name + ":" + port;
    }
  }

  /**
   * A runbook ready to run, or why it cannot.
   *
   * @param missing null when it can run
   */
  public record Plan(
      List<Host> hosts,
      String user,
      String privateKey,
      Map<String, String> steps,
      String health,
      Duration stepTimeout,
      Duration healthFirstWait,
      int healthAttempts,
      Duration healthPause,
      String missing) {

    static Plan refused(String why) {
      return new Plan(List.of(), null, null, Map.of(), null, null, null, 0, null, why);
    }

    public String hostNames() {
      return String.join(",", hosts.stream().map(Host::toString).toList());
    }
  }

  private final DeployFile file;

  RunbookPlans(DeployFile file) {
    this.file = file;
  }

  public Plan plan(ReleaseSpec spec, String targetTag) {
    JsonNode ssh = file.section(spec.service(), "ssh");
    if (!ssh.isObject()) {
      return Plan.refused("no SSH settings for " + spec.service() + " in the deploy file");
    }
    String workdir = ssh.path("workdir").asText("/srv/" + spec.service());
    String healthUrl = ssh.path("health_url").asText("");
    for (String v : List.of(targetTag, spec.service(), workdir, healthUrl)) {
      if (!SAFE.matcher(v).matches()) {
        return Plan.refused("refusing to put '" + v + "' into a shell command");
      }
    }
    String keyVariable = ssh.path("private_key_variable").asText("RMM_SSH_PRIVATE_KEY");
    String key = file.secret(keyVariable);
    if (key == null) {
      return Plan.refused("no SSH key: " + keyVariable + " is not set");
    }
    List<Host> hosts = new ArrayList<>();
    for (JsonNode h : ssh.path("hosts")) {
      String address = h.asText();
      int colon = address.lastIndexOf(':');
      String name = colon < 0 ? address : address.substring(0, colon);
      int port = colon < 0 ? 22 : port(address.substring(colon + 1));
      if (name.isBlank() || port < 1) {
        return Plan.refused(
            "ssh.hosts: '" + address + "' is not HOST or HOST:PORT with a port from 1 to 65535");
      }
      String pinned = ssh.path("host_keys").path(address).asText(ssh.path("host_key").asText(""));
      if (pinned.isBlank()) {
        return Plan.refused("no pinned host key for " + address + " (ssh.host_keys)");
      }
      hosts.add(new Host(name, port, pinned));
    }
    if (hosts.isEmpty()) {
      return Plan.refused("no SSH hosts for " + spec.service());
    }
    Map<String, String> values =
        Map.of(
            "{tag}", targetTag,
            "{service}", spec.service(),
            "{workdir}", workdir,
            "{health_url}", healthUrl);
    Map<String, String> steps = new LinkedHashMap<>();
    DEFAULT_STEPS.forEach(
        (step, command) -> {
          String c = ssh.path("steps").path(step).asText(command);
          if (!c.isBlank()) {
            steps.put(step, fill(c, values));
          }
        });
    String health = fill(ssh.path("steps").path("health").asText(DEFAULT_HEALTH), values);
    Duration stepTimeout = seconds(ssh, "step_timeout_seconds", 300, 1);
    Duration firstWait = seconds(ssh, "health_first_wait_seconds", 15, 0);
    Duration pause = seconds(ssh, "health_pause_seconds", 5, 0);
    JsonNode attempts = ssh.path("health_attempts");
    int healthAttempts = attempts.isMissingNode() ? 5 : attempts.isInt() ? attempts.intValue() : 0;
    if (stepTimeout == null || firstWait == null || pause == null) {
      return Plan.refused(
          "ssh: step_timeout_seconds (1 to "
              + MAX_SECONDS
              + "), health_first_wait_seconds and health_pause_seconds (0 to "
              + MAX_SECONDS
              + ") must be numbers of seconds");
    }
    if (healthAttempts < 1 || healthAttempts > 100) {
      return Plan.refused("ssh.health_attempts must be a whole number from 1 to 100");
    }
    return new Plan(
        hosts,
        ssh.path("user").asText("deploy"),
        key,
        steps,
        health.isBlank() ? null : health,
        stepTimeout,
        firstWait,
        healthAttempts,
        pause,
        null);
  }

  /** Longest wait or timeout a deploy file may set: a day. */
  private static final int MAX_SECONDS = 86_400;

  /** A number of seconds from {@code min} to a day, the fallback when absent, else null. */
  private static Duration seconds(JsonNode ssh, String field, int fallback, int min) {
    JsonNode n = ssh.path(field);
    if (n.isMissingNode()) {
      return Duration.ofSeconds(fallback);
    }
    if (!n.isNumber() || !(n.asDouble() >= min && n.asDouble() <= MAX_SECONDS)) {
      return null;
    }
    return Duration.ofMillis(Math.round(n.asDouble() * 1000));
  }

  /** A TCP port from its text, or -1 when it is not one. */
  private static int port(String text) {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    int port = Integer.parseInt(text);
    return port <= 65535 ? port : -1;
  }

  private static String fill(String command, Map<String, String> values) {
    String out = command;
    for (Map.Entry<String, String> v : values.entrySet()) {
      out = out.replace(v.getKey(), v.getValue());
    }
    return out;
  }

  private static Map<String, String> defaults() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("migrations", "cd '{workdir}' && ./migrate down '{tag}'");
    m.put("checkout", "cd '{workdir}' && git fetch --tags --quiet && git checkout --quiet '{tag}'");
    m.put("up", "cd '{workdir}' && docker compose up -d --build '{service}'");
    return java.util.Collections.unmodifiableMap(m);
  }
}
