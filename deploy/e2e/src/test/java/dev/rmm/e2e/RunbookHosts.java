package dev.rmm.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.testsupport.TestSshServer;
import java.util.Map;

/**
 * The SSH host of {@code RollbackRunbookTest}'s rollbacks and the deploy file entries of its
 * services, part of {@link FakesStack}'s environment since that class shares the stack: one SSH
 * server for the test JVM (like the fake Telegram and GitHub, it outlives any one class), its
 * trusted client key in {@link #KEY_VARIABLE}, a key it does not trust in {@link
 * #WRONG_KEY_VARIABLE}, and {@link #SECRET} in every service's environment (the runbook's output
 * must show it redacted). Everything is made once, so every class asking for the shared stack asks
 * with the same settings.
 */
final class RunbookHosts {

  /** The SSH server the runbooks run on (commands run with /bin/sh on this machine). */
  static final TestSshServer SSH = TestSshServer.start();

  /** A secret in the services' environment ({@code DB_PASSWORD}) that a runbook step prints. */
  static final String SECRET = "s3cr3t-db-pass-42";

  /** The variable holding the private key the SSH server trusts. */
  static final String KEY_VARIABLE = "RMM_SSH_KEY_TEST";

  /** The variable holding a private key the SSH server does not trust. */
  static final String WRONG_KEY_VARIABLE = "RMM_SSH_KEY_WRONG";

  /**
   * The key the server trusts, written out once: every class sharing the stack must ask for the
   * same environment, and each writing of an OpenSSH private key differs (its random check bytes).
   */
  static final String KEY = SSH.clientPrivateKey();

  /** A key the server does not trust, made once for the same reason. */
  static final String WRONG_KEY = TestSshServer.otherPrivateKey();

  private static final String OTHER_HOST_KEY = TestSshServer.otherHostKeyLine();

  private RunbookHosts() {}

  /**
   * The deploy file's services of {@code RollbackRunbookTest}, one per scenario, all on {@link
   * #SSH}: good, badmig, sick, hang, stranger (a host key that is not the server's), wrongkey (a
   * client key the server does not trust) and slow.
   */
  static ObjectNode services(ObjectMapper json) {
    ObjectNode services = json.createObjectNode();
    services.set(
        "good",
        service(
            json,
            SSH.hostKeyLine(),
            KEY_VARIABLE,
            Map.of(
                "migrations", "echo migrating down to {tag} with password=" + SECRET,
                "checkout", "echo checked out {tag}",
                "up", "echo started {service}",
                "health", "true")));
    services.set(
        "badmig",
        service(
            json,
            SSH.hostKeyLine(),
            KEY_VARIABLE,
            Map.of("migrations", "echo cannot reach the database >&2; exit 3")));
    services.set(
        "sick",
        service(
            json,
            SSH.hostKeyLine(),
            KEY_VARIABLE,
            Map.of("migrations", "true", "checkout", "true", "up", "true", "health", "false")));
    ObjectNode hang =
        service(
            json,
            SSH.hostKeyLine(),
            KEY_VARIABLE,
            Map.of("migrations", "true", "checkout", "true", "up", "sleep 30"));
    ((ObjectNode) hang.get("ssh")).put("step_timeout_seconds", 1);
    services.set("hang", hang);
    services.set("stranger", service(json, OTHER_HOST_KEY, KEY_VARIABLE, Map.of()));
    services.set("wrongkey", service(json, SSH.hostKeyLine(), WRONG_KEY_VARIABLE, Map.of()));
    services.set(
        "slow",
        service(
            json,
            SSH.hostKeyLine(),
            KEY_VARIABLE,
            Map.of("migrations", "true", "checkout", "echo slow-checkout-started; sleep 20")));
    return services;
  }

  private static ObjectNode service(
      ObjectMapper json, String hostKey, String keyVariable, Map<String, String> steps) {
    ObjectNode ssh = json.createObjectNode();
    ssh.putArray("hosts").add(SSH.address());
    ssh.put("user", "deploy");
    ssh.put("private_key_variable", keyVariable);
    ssh.putObject("host_keys").put(SSH.address(), hostKey);
    ssh.put("workdir", "/tmp");
    ssh.put("health_first_wait_seconds", 0);
    ssh.put("health_attempts", 3);
    ssh.put("health_pause_seconds", 0.2);
    ObjectNode s = ssh.putObject("steps");
    steps.forEach(s::put);
    ObjectNode service = json.createObjectNode();
    service.set("ssh", ssh);
    return service;
  }
}
