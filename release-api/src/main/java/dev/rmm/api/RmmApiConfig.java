package dev.rmm.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Everything release-api can be configured with. Secrets come only from the environment. */
@ConfigMapping(prefix = "rmm")
public interface RmmApiConfig {

  Topics topics();

  Writer writer();

  Api api();

  Policy policy();

  Checkpoints checkpoints();

  Console console();

  /**
   * The read-only web console at {@code /console} (issue 16, docs in release-api/README.md): who
   * may log in and how its session cookie is signed. Secrets only from the environment.
   */
  interface Console {
    /**
     * The Telegram bot's token (RMM_CONSOLE_TELEGRAM_BOT_TOKEN), used only to check the Telegram
     * Login Widget's signature (HMAC-SHA256 keyed by its SHA-256). Unset: Telegram login is off,
     * the API-token login remains.
     */
    Optional<String> telegramBotToken();

    /**
     * The bot's username without {@code @} (RMM_CONSOLE_TELEGRAM_BOT_USERNAME): the login page
     * shows Telegram's widget for it (loaded from telegram.org, the one asset not served here).
     * Unset: no widget.
     */
    Optional<String> telegramBotUsername();

    /**
     * The key that signs the session cookie, base64, at least 32 bytes (RMM_CONSOLE_COOKIE_KEY).
     * Unset: a random key made at each start (sessions end with a restart; fine for local use, not
     * for several instances behind one address).
     */
    Optional<String> cookieKey();

    /** How long a console login lasts. */
    @WithDefault("8h")
    Duration sessionTtl();

    /**
     * Telegram user ids who may look at the console without being an approver or admin of any
     * service (RMM_CONSOLE_VIEWERS, comma-separated); the policy file's top-level {@code "viewers"}
     * adds to them.
     */
    Optional<String> viewers();

    /**
     * A link to a trace, with {@code {trace_id}} where its id goes (RMM_CONSOLE_TRACE_URL, e.g.
     * Grafana's Explore on Tempo). Unset: trace ids are shown as text.
     */
    Optional<String> traceUrl();

    /** How often one shared ticker looks for changes of the read model for the live pages. */
    @WithDefault("300ms")
    Duration liveInterval();

    /**
     * The most records of the release log the audit page reads for one answer
     * (RMM_CONSOLE_AUDIT_MAX_EVENTS): its as-of view and verification report fold the log from
     * offset 0, so this bounds the time and memory of one page. A log with more says so on the page
     * (the view then covers the first records of each partition only).
     */
    @WithDefault("500000")
    long auditMaxEvents();

    /**
     * The most releases the audit page's as-of table lists (RMM_CONSOLE_AUDIT_MAX_ROWS); the others
     * are counted, and the service filter narrows the table.
     */
    @WithDefault("500")
    int auditMaxRows();

    /**
     * How long the board's service filter keeps the list of services before reading it again
     * (RMM_CONSOLE_SERVICES_REFRESH): the list is a scan of every release, the board's page is not.
     */
    @WithDefault("5s")
    Duration servicesRefresh();
  }

  /**
   * Signed checkpoints of the log (docs/security.md): each partition writer signs, every so often,
   * the digest of its partition's valid events below its position, on the checkpoints topic. An
   * auditor checks them with the public key alone ({@code deploy/local/replay verify
   * --public-key}).
   */
  interface Checkpoints {
    /**
     * The Ed25519 private key, base64 PKCS#8 ({@code RMM_CHECKPOINTS_PRIVATE_KEY}); unset: none.
     */
    Optional<String> privateKey();

    /**
     * Its public key, base64 X.509 ({@code RMM_CHECKPOINTS_PUBLIC_KEY}): names the key in each
     * checkpoint, and is checked against the private key at start-up.
     */
    Optional<String> publicKey();

    /** How often a partition writer signs a checkpoint, when its partition moved since the last. */
    @WithDefault("60s")
    Duration every();
  }

  /** The Kafka topics rmm uses; created by release-api at start-up when missing. */
  interface Topics {
    /** The release event log: kept forever, keyed by release id. */
    @WithDefault("rmm.release-events")
    String events();

    /**
     * Snapshots of the partition writers' state, compacted, as many partitions as the events topic
     * (a takeover reads the newest snapshot and folds only the log after it).
     */
    @WithDefault("rmm.writer-snapshots")
    String snapshots();

    /** Signed checkpoints of the event log, keyed by partition: kept forever, one partition. */
    @WithDefault("rmm.release-checkpoints")
    String checkpoints();

    /**
     * Commands forwarded by other release-api instances, keyed by release id. Each sender has its
     * own commands topic, which only its principal may write: what a command may do follows from
     * the topic it comes from (docs/security.md).
     */
    @WithDefault("rmm.release-commands")
    String commands();

    /** The Telegram gateway's commands: a person's approvals, rejections and rollbacks. */
    @WithDefault("rmm.gateway-commands")
    String gatewayCommands();

    /** deploy-orchestrator's commands: dispatches and runbook steps. */
    @WithDefault("rmm.orchestrator-commands")
    String orchestratorCommands();

    /** One answer per command, keyed by command id. */
    @WithDefault("rmm.release-command-results")
    String results();

    /**
     * Alerts from every service for the telegram-gateway's alerts chat: one partition, kept 1 day
     * (created here with the others).
     */
    @WithDefault("rmm.alerts")
    String alerts();

    /**
     * The policy in force as events ({@code release.policy-changed.v1}): one partition, kept
     * forever, written only by release-api; every instance reads all of it (docs/security.md).
     */
    @WithDefault("rmm.release-policies")
    String policies();

    /**
     * Partitions of the events and commands topics (they must be equal: partition p of both is
     * owned by the same writer).
     */
    @WithDefault("6")
    int partitions();

    /**
     * Replication factor for topics that are created. Unset: it follows the cluster's size, 3 when
     * Kafka has 3 or more brokers, else as many as it has (1 on a single broker, as in the local
     * stack).
     */
    Optional<Short> replicationFactor();

    /**
     * {@code min.insync.replicas} of the topics that are created. Unset: 2 when the replication
     * factor is 3 or more, else 1.
     */
    Optional<Integer> minInsyncReplicas();

    /**
     * How long release-api waits at start-up for Kafka to answer while it creates and checks these
     * topics (a broker that is still starting, a new topic whose metadata lags); then it stops with
     * a message that says what it waited for.
     */
    @WithDefault("60s")
    Duration startupWait();
  }

  /**
   * Trust in GitHub Actions OIDC tokens: a workflow with {@code id-token: write} presents a JWT
   * signed by GitHub whose {@code repository} claim names the caller. Off until {@link
   * #repositories()} says which repositories may use it.
   */
  interface Oidc {
    /**
     * Repositories that may authenticate with an OIDC token: comma-separated {@code owner/repo} or
     * {@code owner/*} (RMM_API_OIDC_REPOSITORIES). Unset: OIDC tokens are refused.
     */
    Optional<String> repositories();

    /** The issuer the tokens must come from. */
    @WithDefault("https://token.actions.githubusercontent.com")
    String issuer();

    /** The audience the workflow asks for ({@code oidc-audience} of the rmm-report action). */
    @WithDefault("rmm")
    String audience();

    /** Where the issuer's signing keys are; by default {@code <issuer>/.well-known/jwks}. */
    Optional<String> jwksUrl();
  }

  /** The single writer. */
  interface Writer {
    /** Consumer group whose members share the partitions (and the right to write them). */
    @WithDefault("rmm-release-writers")
    String group();

    /** The most requests one partition writer decides before it looks at acknowledgements. */
    @WithDefault("256")
    int maxBatch();

    /**
     * The most HTTP requests that may wait for one partition's writer; the next is answered 503
     * with Retry-After at once. Commands read from Kafka are bounded by pausing their partition.
     */
    @WithDefault("2048")
    int maxWaiting();

    /**
     * A partition writer snapshots its state after this many records of the log since its last
     * snapshot (0: never), so that a takeover folds at most about this many records.
     */
    @WithDefault("100000")
    long snapshotEvery();

    /** The shortest time between two snapshots of one partition. */
    @WithDefault("30s")
    Duration snapshotMinInterval();

    /**
     * The most releases one partition writer keeps as whole objects in its heap. Finished releases
     * leave the heap at once, the least recently used others beyond this bound; they live in a
     * local file (the partition's snapshot) and come back when a command or event names them, with
     * the very same state (issue 12: bounded memory).
     */
    @WithDefault("10000")
    int releasesInHeap();

    /**
     * How many releases that left the heap one partition writer keeps encoded in memory before it
     * merges them into a new local file, off its thread (each costs about 1 KiB of heap; a fold
     * from offset 0 pushes nearly every release out at once).
     */
    @WithDefault("20000")
    int releasesOutsideFile();

    /** How long an HTTP request waits for its write before answering 503. */
    @WithDefault("10s")
    Duration requestTimeout();
  }

  /** The HTTP API. */
  interface Api {
    /**
     * Accepted bearer tokens, hashed: comma-separated {@code owner/repo=sha256:<hex>}; {@code *}
     * instead of a repository grants every repository and the admin commands. Set it from the
     * environment (RMM_API_TOKENS); never the tokens themselves.
     */
    Optional<String> tokens();

    /** GitHub Actions OIDC tokens, the secret-free alternative to repository tokens. */
    Oidc oidc();

    /** The largest request body accepted, in bytes. */
    @WithDefault("16384")
    int maxBodyBytes();

    /**
     * How long a query that asks for {@code min_version} waits for the read model to reach it
     * before answering 503 (read your writes: a pipeline reads back what it has just written).
     */
    @WithDefault("5s")
    Duration readWait();
  }

  /** Who approves: the default policy and a file of per-service policies. */
  interface Policy {
    /** Default approvers: comma-separated {@code telegramId:Name[:githubLogin]}. */
    Optional<String> defaultApprovers();

    /** Default quorum; all approvers when unset (the original rule). */
    Optional<Integer> defaultQuorum();

    /** Whether the initiator may approve their own release by default. */
    @WithDefault("false")
    boolean defaultInitiatorMayApprove();

    /**
     * Whether, under the default policy, an approval an admin token sends on behalf of an approver
     * counts toward the quorum. False (the default) refuses it, so that one admin token cannot meet
     * the whole quorum; the local demo, which approves with curl, sets it.
     */
    @WithDefault("false")
    boolean defaultOnBehalfCounts();

    /**
     * Under the default policy, how many minutes an approval counts toward the quorum before it
     * expires; unset: 24 hours ({@code ApprovalPolicy.DEFAULT_APPROVAL_EXPIRY}). A service's own
     * policy sets {@code approval_expiry_minutes} in the policy file.
     */
    Optional<Integer> defaultApprovalExpiryMinutes();

    /**
     * Under the default policy, how many minutes a break-glass request waits for a second admin's
     * confirmation before it lapses, 1 to 1440; unset: 15 ({@code
     * ApprovalPolicy.DEFAULT_BREAK_GLASS_WINDOW}). A service's own policy sets {@code
     * break_glass_window_minutes} in the policy file.
     */
    Optional<Integer> defaultBreakGlassWindowMinutes();

    /** Default admins: comma-separated Telegram user ids. */
    Optional<String> defaultAdmins();

    /** A JSON file with per-service policies (see docs/configuration.md). */
    Optional<Path> file();

    /**
     * Whether a service whose policy declares no {@code repository} (every service under the
     * default policy) may be released from any repository whose token or OIDC claim names itself in
     * the request. False (the default) refuses such releases with 403: a service must be bound to
     * its repository (docs/security.md). The local stack and the demo set it explicitly.
     */
    @WithDefault("false")
    boolean allowUnboundServices();

    /**
     * How often the policy file is looked at for a change, which is then recorded in the policy log
     * and in force without a restart ({@code RMM_POLICY_RELOAD_INTERVAL}).
     */
    @WithDefault("2s")
    Duration reloadInterval();

    /**
     * Who changes the policy, recorded with each change ({@code RMM_POLICY_AUTHOR}) when the file
     * itself names no top-level {@code "author"}: a claim, recorded as such.
     */
    Optional<String> author();
  }
}
