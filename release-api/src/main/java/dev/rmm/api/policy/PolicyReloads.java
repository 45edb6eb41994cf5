package dev.rmm.api.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.api.RmmApiConfig;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.PolicyHistory;
import dev.rmm.contracts.ReleaseEvent.PolicyChanged;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.kafka.AlertPublisher;
import dev.rmm.contracts.ops.Alert;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Records the policy file in the policy log: once at start-up, then whenever the file's content
 * changes (its SHA-256 is compared every {@code rmm.policy.reload-interval}; a file system watch
 * misses edits on some mounts, such as Kubernetes ConfigMaps swapped by symlink, and the check of a
 * small file costs nothing). A changed file that does not parse, or cannot be read, is refused: an
 * ERROR line and an alert say why, and the policy in force stays until a good file arrives.
 *
 * <p>Who changed it: the event's actor is this instance ({@code release-api@<host>}), which is the
 * only thing release-api can vouch for; {@code author} is what the file's top-level {@code
 * "author"} (or else {@code RMM_POLICY_AUTHOR}) claims, and {@code file_owner} the file's owner.
 * For a proven author, keep the file in git and deploy it from a reviewed commit, whose author the
 * file names.
 */
final class PolicyReloads implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(PolicyReloads.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_AUTHOR = 200;
  private static final int ATTEMPTS = 5;

  private final RmmApiConfig.Policy config;
  private final Optional<Path> file;
  private final PolicyLog log;
  private final ApprovalPolicy defaults;
  private final Map<String, ServicePolicy> startupFile;
  private final AlertPublisher alerts;
  private final Actor instance;
  private final Duration timeout;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "rmm-policy-reload");
            t.setDaemon(true);
            return t;
          });

  /** The SHA-256 of the file's content last looked at (loaded or refused); timer thread only. */
  private String lastSeen;

  PolicyReloads(
      RmmApiConfig config,
      String bootstrap,
      PolicyLog log,
      ApprovalPolicy defaults,
      Map<String, ServicePolicy> startupFile) {
    this.config = config.policy();
    this.file = config.policy().file();
    this.log = log;
    this.defaults = defaults;
    this.startupFile = startupFile;
    this.alerts = new AlertPublisher(bootstrap, config.topics().alerts());
    this.instance = instanceActor();
    this.timeout = config.topics().startupWait();
  }

  /** Records the policy read at start-up (when it is not in force already), then watches. */
  void start() {
    byte[] bytes = file.map(PolicyReloads::readOrNull).orElse(null);
    lastSeen = bytes == null ? null : sha256(bytes);
    record(startupFile, bytes, "start-up");
    if (file.isPresent()) {
      long every = config.reloadInterval().toMillis();
      timer.scheduleWithFixedDelay(this::checkSafely, every, every, TimeUnit.MILLISECONDS);
      LOG.infof(
          "Watching the policy file %s every %s; policy version %d is in force",
          file.get(), config.reloadInterval(), log.history().version());
    }
  }

  private void checkSafely() {
    try {
      check();
    } catch (RuntimeException e) {
      LOG.errorf(
          e,
          "Could not record the changed policy file %s: %s. Policy version %d stays in force; the"
              + " change is tried again at the next check.",
          file.get(),
          e.getMessage(),
          log.history().version());
      lastSeen = null; // try again
    }
  }

  /** One look at the file: records it when its content changed and parses. */
  void check() {
    Path path = file.orElseThrow();
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      refuse(path, "missing", "it cannot be read: " + e.getMessage());
      return;
    }
    String sha = sha256(bytes);
    if (sha.equals(lastSeen)) {
      return;
    }
    Map<String, ServicePolicy> parsed;
    try {
      parsed = PolicyRegistry.parse(bytes, path.toString());
    } catch (IllegalStateException e) {
      refuse(path, sha, e.getMessage());
      return;
    }
    lastSeen = sha;
    record(parsed, bytes, "reload");
  }

  private void refuse(Path path, String what, String why) {
    if (what.equals(lastSeen)) {
      return; // said once per bad content
    }
    lastSeen = what;
    long version = log.history().version();
    LOG.errorf(
        "Refused the changed policy file %s: %s. Policy version %d stays in force; fix the file and"
            + " it is loaded within %s.",
        path, why, version, config.reloadInterval());
    alerts.publish(
        new Alert(
            UUID.randomUUID().toString(),
            "policy-refused",
            Alert.fingerprint("policy-refused", path.toString()),
            "release-api",
            null,
            null,
            null,
            "release-api refused the changed policy file "
                + path
                + "; version "
                + version
                + " stays in force",
            why,
            null,
            Instant.now()));
  }

  /** Appends the policy unless it is already in force; retries when another instance won. */
  private void record(Map<String, ServicePolicy> services, byte[] bytes, String why) {
    PolicyChanged wanted = policy(services, bytes, List.of());
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      PolicyHistory now = log.history();
      if (wanted.sameRules(now.current())) {
        LOG.debugf("Policy file at %s: already in force as version %d", why, now.version());
        return;
      }
      PolicyChanged change = policy(services, bytes, changed(now.current(), wanted));
      Optional<PolicyHistory> after;
      try {
        after = log.append(change, instance, timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while recording the policy", e);
      }
      if (after.isPresent()) {
        LOG.infof(
            "Policy version %d in force (%s): changed %s, from %s by %s%s",
            after.get().version(),
            why,
            change.changed(),
            change.source(),
            instance.id(),
            change.author() == null ? "" : ", author " + change.author());
        return;
      }
      LOG.infof("Another instance recorded a policy at the same moment; looking again");
    }
    throw new IllegalStateException(
        "the policy log kept moving: could not record the policy in " + ATTEMPTS + " attempts");
  }

  private PolicyChanged policy(
      Map<String, ServicePolicy> services, byte[] bytes, List<String> changed) {
    Map<String, PolicyChanged.Service> out = new HashMap<>();
    services.forEach(
        (name, p) ->
            out.put(
                name,
                new PolicyChanged.Service(p.approval(), p.repository(), p.jobWorkflowRefs())));
    return new PolicyChanged(
        out,
        defaults,
        changed,
        file.map(Path::toString).orElse("environment"),
        bytes == null ? null : sha256(bytes),
        author(bytes),
        file.map(PolicyReloads::owner).orElse(null),
        bytes == null
            ? List.of()
            : PolicyRegistry.freezes(bytes, file.map(Path::toString).orElse("environment")));
  }

  /**
   * The author claim to record, with a WARN line when the claim had to be changed: it is text from
   * a file anybody with write access edits, and it reaches the log, the timeline and the alerts
   * chat, so it never goes there raw.
   */
  private String author(byte[] bytes) {
    AuthorClaim claim = authorClaim(bytes, config.author());
    claim
        .problem()
        .ifPresent(
            p ->
                LOG.warnf(
                    "The policy's author claim (the file's \"author\" or RMM_POLICY_AUTHOR) %s;"
                        + " recorded %s",
                    p, claim.author() == null ? "without an author" : "as " + claim.author()));
    return claim.author();
  }

  /** In {@code changed}: the freeze windows differ (issue 15 point 5). */
  static final String FREEZES_CHANGED = "*freezes";

  /**
   * The services whose policy differs ({@code *}: the default policy; {@code *freezes}: the freeze
   * windows).
   */
  static List<String> changed(PolicyChanged before, PolicyChanged after) {
    TreeSet<String> names = new TreeSet<>(after.services().keySet());
    if (before != null) {
      names.addAll(before.services().keySet());
    }
    List<String> out = new ArrayList<>();
    for (String n : names) {
      if (before == null || !Objects.equals(before.services().get(n), after.services().get(n))) {
        out.add(n);
      }
    }
    if (before == null
        ? after.defaultPolicy() != null
        : !Objects.equals(before.defaultPolicy(), after.defaultPolicy())) {
      out.add("*");
    }
    if (!(before == null ? List.of() : before.freezes()).equals(after.freezes())) {
      out.add(FREEZES_CHANGED);
    }
    return out;
  }

  /**
   * An author claim as it may be recorded: {@code author} is null when there is none to record, and
   * {@code problem} says what was wrong with the claim (without repeating it raw).
   */
  record AuthorClaim(String author, Optional<String> problem) {}

  /**
   * The file's top-level "author", else RMM_POLICY_AUTHOR; a claim, kept short and plain: one
   * holding a control or bidirectional character is not recorded (it could make a chat line or a
   * log line read differently from what it is), and a long one is cut at {@value #MAX_AUTHOR}
   * characters, never inside a character.
   */
  static AuthorClaim authorClaim(byte[] bytes, Optional<String> configured) {
    String claimed = null;
    if (bytes != null) {
      try {
        JsonNode a = JSON.readTree(bytes).path("author");
        claimed = a.isTextual() ? a.asText() : null;
      } catch (IOException e) {
        claimed = null; // parsed before; cannot happen
      }
    }
    if (claimed == null) {
      claimed = configured.orElse(null);
    }
    if (claimed == null || claimed.isBlank()) {
      return new AuthorClaim(null, Optional.empty());
    }
    Optional<String> breach = TextRules.check("author", claimed, TextRules.Kind.LINE);
    if (breach.isPresent()) {
      return new AuthorClaim(null, breach);
    }
    int length = claimed.codePointCount(0, claimed.length());
    if (length <= MAX_AUTHOR) {
      return new AuthorClaim(claimed, Optional.empty());
    }
    return new AuthorClaim(
        claimed.substring(0, claimed.offsetByCodePoints(0, MAX_AUTHOR)),
        Optional.of(
            "is " + length + " characters long, more than " + MAX_AUTHOR + "; it was shortened"));
  }

  private static String owner(Path p) {
    try {
      return Files.getOwner(p).getName();
    } catch (IOException | UnsupportedOperationException e) {
      return null;
    }
  }

  private static byte[] readOrNull(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      return null;
    }
  }

  private static Actor instanceActor() {
    String host = System.getenv("HOSTNAME");
    if (host == null || host.isBlank()) {
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "unknown-host";
      }
    }
    return new Actor(Actor.Kind.SYSTEM, "release-api@" + host, "release-api on " + host);
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
    alerts.close();
  }
}
