package dev.rmm.local;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The no-Docker local stack, started by {@code deploy/local/start} from the repository root: Kafka,
 * PostgreSQL and Redis with their data under {@code .rmm/} (or {@code RMM_LOCAL_HOME}), and the
 * four services, each at its usual port, logging to {@code .rmm/logs/}. Ctrl-C stops the services
 * first, then Redis, PostgreSQL and Kafka; the next start reuses the Kafka log and the database.
 *
 * <p>The services get the user's environment (TELEGRAM_BOT_TOKEN, GITHUB_TOKEN, ...) on top of demo
 * defaults (the API token, a demo approval policy, no OpenTelemetry export); only the wiring to
 * this stack (Kafka, datasource, Redis, HTTP port) is not taken from the environment.
 */
public final class LocalStack {

  /**
   * The environment for services under test or benchmark: this process's environment without the
   * developer's own rmm, Quarkus, Kafka, Redis, Telegram and GitHub settings (so a test never
   * reaches a real Telegram or GitHub), with the demo token for any repository, the demo approval
   * policy, loopback HTTP and no OpenTelemetry export.
   */
  public static Map<String, String> isolatedEnvironment(String apiToken) {
    List<String> privatePrefixes =
        List.of("RMM_", "QUARKUS_", "KAFKA_", "REDIS_", "TELEGRAM_", "GITHUB_");
    Map<String, String> env = new HashMap<>();
    System.getenv()
        .forEach(
            (name, value) -> {
              if (privatePrefixes.stream().noneMatch(name::startsWith)) {
                env.put(name, value);
              }
            });
    env.putAll(WITHOUT_COLLECTOR);
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put(ApiToken.TOKENS_VARIABLE, ApiToken.forAnyRepository(apiToken));
    env.put(APPROVERS_VARIABLE, DEMO_APPROVERS);
    env.put(ADMINS_VARIABLE, DEMO_ADMINS);
    env.putAll(DEMO_TRUST);
    return env;
  }

  /**
   * OpenTelemetry without a collector: spans are not sampled and logs not shipped, so nothing tries
   * to reach an OTLP endpoint; trace ids are still made and carried into events and alerts.
   */
  static final Map<String, String> WITHOUT_COLLECTOR =
      Map.of(
          "QUARKUS_OTEL_TRACES_SAMPLER_ARG", "0",
          "QUARKUS_OTEL_LOGS_HANDLER_ENABLED", "false");

  /** The demo approval policy: Telegram user ids and names of the approvers. */
  public static final String DEMO_APPROVERS = "1001:Alice QA,1002:Bob Lead";

  /** The demo admins (may roll back): Telegram user ids. */
  public static final String DEMO_ADMINS = "1002";

  /**
   * What the demo trusts that a production policy should not (docs/security.md): its services are
   * bound to no repository (the demo token may release any service from any repository), and the
   * curl approvals it prints, sent with the admin token on the approvers' behalf, count toward the
   * quorum. Both are off unless set; a user's own environment overrides them.
   */
  public static final Map<String, String> DEMO_TRUST =
      Map.of(
          "RMM_POLICY_ALLOW_UNBOUND_SERVICES", "true",
          "RMM_POLICY_DEFAULT_ON_BEHALF_COUNTS", "true");

  public static final String APPROVERS_VARIABLE = "RMM_POLICY_DEFAULT_APPROVERS";
  public static final String ADMINS_VARIABLE = "RMM_POLICY_DEFAULT_ADMINS";

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);

  /** Where the stack keeps its data and logs; {@code .rmm} in the repository when unset. */
  public static final String HOME_VARIABLE = "RMM_LOCAL_HOME";

  private final Path root;
  private final Path home;
  private final Map<String, String> userEnvironment;
  private final PrintStream out;
  private RmmStack stack;
  private volatile boolean stopping;

  LocalStack(Path root, Path home, Map<String, String> userEnvironment, PrintStream out) {
    this.root = root;
    this.home = home;
    this.userEnvironment = userEnvironment;
    this.out = out;
  }

  public static void main(String[] args) throws InterruptedException {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    if (!Files.isRegularFile(root.resolve("deploy/infra/pom.xml"))) {
      System.err.println(
          root + " is not the rmm repository root: start the stack with deploy/local/start");
      System.exit(2);
    }
    Path home = home(root, System.getenv(HOME_VARIABLE));
    logInfrastructureTo(home.resolve("logs/infra.log"));
    LocalStack local = new LocalStack(root, home, System.getenv(), System.out);
    // our own handlers, not only a shutdown hook: PostgreSQL's and Redis's libraries register
    // hooks of their own that would stop them while the services are still shutting down
    for (String signal : List.of("INT", "TERM", "HUP")) {
      SignalHandler before = Signal.handle(new Signal(signal), s -> local.stopAndExit(0));
      // the JVM leaves a signal that this process inherited as ignored ignored (nohup's SIGHUP, or
      // SIGINT of a background job of a shell without job control): say how to stop it instead
      if (before == SignalHandler.SIG_IGN && !signal.equals("HUP")) {
        System.err.println(
            "rmm local stack: SIG"
                + signal
                + " is ignored by this process (it was started in the background without job"
                + " control): stop it with kill -TERM "
                + ProcessHandle.current().pid()
                + " or start it with deploy/local/start");
      }
    }
    Runtime.getRuntime().addShutdownHook(new Thread(local::stop, "rmm-local-stack-stop"));
    try {
      local.start();
    } catch (RuntimeException | Error e) {
      if (!local.stopping) { // else Ctrl-C came during the start, and its handler exits
        LoggerFactory.getLogger(LocalStack.class).error("the local stack did not start", e);
        System.err.println();
        System.err.println("rmm local stack did not start: " + withCauses(e));
        System.err.println("(details in " + local.home.resolve("logs") + ")");
        local.stopping = true; // RmmStack.start() already stopped what it had started
        System.exit(1);
      }
    }
    new CountDownLatch(1).await();
  }

  void start() {
    RmmStack.requireBuilt(root, "run deploy/local/start --build (or ./mvnw install -DskipTests)");
    Path logs = home.resolve("logs");
    String token = ApiToken.loadOrCreate(home.resolve("dev-token"));
    CheckpointKeyFiles.Pair checkpointKey = CheckpointKeyFiles.loadOrCreate(home);
    truncateServiceLogs(logs);

    int brokers = kafkaBrokers(userEnvironment.get(BROKERS_VARIABLE));
    requireSameKafkaLayout(home.resolve("kafka"), brokers);
    out.println("rmm local stack: starting in " + root + " (data and logs in " + home + ")");
    long begin = System.nanoTime();
    RmmStack stack =
        new RmmStack(
            new RmmStack.Settings(
                root,
                home.resolve("kafka"),
                home.resolve("postgres"),
                logs,
                port(LocalKafka.PORT_VARIABLE, LocalKafka.DEFAULT_PORT),
                port(LocalPostgres.PORT_VARIABLE, LocalPostgres.DEFAULT_PORT),
                port(LocalRedis.PORT_VARIABLE, LocalRedis.DEFAULT_PORT),
                httpPorts(),
                serviceEnvironment(token, checkpointKey),
                jvmOptions(),
                READY_TIMEOUT,
                brokers),
            line -> out.println("  " + line));
    stack.keepClassDataIn(home.resolve("cds"));
    synchronized (this) {
      if (stopping) {
        return; // Ctrl-C before anything ran
      }
      this.stack = stack;
    }
    stack.start();
    watchForUnexpectedExits();
    out.println();
    out.printf("rmm local stack is up after %.1f s%n", (System.nanoTime() - begin) / 1e9);
    new StackSummary(stack, root, home, userEnvironment).print(out);
  }

  private static Path home(Path root, String configured) {
    Path home =
        configured == null || configured.isBlank() ? root.resolve(".rmm") : Path.of(configured);
    return home.toAbsolutePath();
  }

  /** Stops everything once; safe to call from several threads and again after it finished. */
  void stop() {
    RmmStack running;
    synchronized (this) {
      if (stopping) {
        return;
      }
      stopping = true;
      running = stack;
    }
    if (running == null) {
      return;
    }
    out.println();
    out.println("rmm local stack: stopping the services, then Redis, PostgreSQL and Kafka ...");
    try {
      running.stop();
      out.println("rmm local stack: stopped (data kept in " + home + ")");
    } catch (RuntimeException e) {
      System.err.println("rmm local stack: " + e.getMessage() + " (see " + home + "/logs)");
    }
  }

  private void stopAndExit(int status) {
    stop();
    System.exit(status);
  }

  /** Demo defaults first, then the user's environment on top. */
  private Map<String, String> serviceEnvironment(
      String token, CheckpointKeyFiles.Pair checkpointKey) {
    Map<String, String> env = new HashMap<>();
    if (!userEnvironment.containsKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")
        && !userEnvironment.containsKey("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")) {
      env.putAll(WITHOUT_COLLECTOR);
    }
    env.put("QUARKUS_HTTP_HOST", "127.0.0.1");
    env.put(ApiToken.TOKENS_VARIABLE, ApiToken.forAnyRepository(token));
    env.put(APPROVERS_VARIABLE, DEMO_APPROVERS);
    env.put(ADMINS_VARIABLE, DEMO_ADMINS);
    if (!userEnvironment.containsKey(CheckpointKeyFiles.PRIVATE_KEY_VARIABLE)) {
      env.put(CheckpointKeyFiles.PRIVATE_KEY_VARIABLE, checkpointKey.privateKey());
      env.put(CheckpointKeyFiles.PUBLIC_KEY_VARIABLE, checkpointKey.publicKey());
    }
    env.putAll(DEMO_TRUST);
    env.putAll(userEnvironment);
    return env;
  }

  private Map<RmmService, Integer> httpPorts() {
    Map<RmmService, Integer> ports = new EnumMap<>(RmmService.class);
    for (RmmService service : RmmService.values()) {
      ports.put(service, port(service.portVariable(), service.defaultPort()));
    }
    return ports;
  }

  /** How many Kafka brokers the stack runs; 1 (one combined KRaft node) when unset. */
  public static final String BROKERS_VARIABLE = "RMM_KAFKA_BROKERS";

  /** More brokers than this would only slow a one-machine stack down without testing more. */
  static final int MAX_BROKERS = 5;

  /**
   * The number of Kafka brokers asked for: 1 when unset; 3 gives the cluster that issue 14's
   * leader-failure trials run on (a dedicated controller, replication factor 3, {@code
   * min.insync.replicas} 2, see {@link LocalKafkaCluster}).
   */
  static int kafkaBrokers(String value) {
    if (value == null || value.isBlank()) {
      return 1;
    }
    try {
      int brokers = Integer.parseInt(value.trim());
      if (brokers >= 1 && brokers <= MAX_BROKERS) {
        return brokers;
      }
    } catch (NumberFormatException e) {
      // answered below, with the range
    }
    throw new IllegalArgumentException(
        BROKERS_VARIABLE + "=" + value + " is not a broker count from 1 to " + MAX_BROKERS);
  }

  /**
   * Refuses to start Kafka with another number of brokers than the log under {@code kafkaDir} was
   * written by: one node keeps its log in the directory itself, a cluster one directory per node
   * below it, so the other layout would start an empty log beside the old one, while PostgreSQL's
   * read model (and the projector's positions in it) still belongs to the old log.
   */
  static void requireSameKafkaLayout(Path kafkaDir, int brokers) {
    boolean singleNodeLog = Files.exists(kafkaDir.resolve("meta.properties"));
    boolean clusterLog = Files.exists(kafkaDir.resolve("cluster.id"));
    long clusterBrokers = 0;
    if (clusterLog) {
      try (var nodes = Files.list(kafkaDir)) {
        clusterBrokers =
            nodes.filter(d -> d.getFileName().toString().startsWith("broker-")).count();
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + kafkaDir, e);
      }
    }
    long written = singleNodeLog ? 1 : clusterBrokers;
    if ((singleNodeLog || clusterLog) && written != brokers) {
      throw new IllegalStateException(
          BROKERS_VARIABLE
              + " asks for "
              + brokers
              + " Kafka broker(s), but the log in "
              + kafkaDir
              + " was written by "
              + written
              + ", and the read model in PostgreSQL belongs to that log: start with "
              + BROKERS_VARIABLE
              + "="
              + written
              + ", or give the stack a new data directory ("
              + HOME_VARIABLE
              + ", or delete "
              + kafkaDir.getParent()
              + ")");
    }
  }

  private int port(String variable, int defaultPort) {
    String value = userEnvironment.get(variable);
    if (value == null || value.isBlank()) {
      return defaultPort;
    }
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(variable + "=" + value + " is not a port number");
    }
  }

  private void watchForUnexpectedExits() {
    for (RmmService service : RmmService.values()) {
      ServiceProcess process = stack.service(service);
      process
          .onExit()
          .thenAccept(
              exited -> {
                if (!stopping) {
                  System.err.println(
                      "rmm local stack: "
                          + service
                          + " exited with code "
                          + exited.exitValue()
                          + "; see "
                          + process.logFile()
                          + " (the rest keeps running; Ctrl-C stops it)");
                }
              });
    }
  }

  /** The message and the messages of its causes: the cause often says what to do. */
  private static String withCauses(Throwable failure) {
    StringBuilder text = new StringBuilder(String.valueOf(failure.getMessage()));
    for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
      text.append("\n  caused by: ").append(cause);
    }
    return text.toString();
  }

  /** One log per run: a service's log holds only what it said since this start. */
  private static void truncateServiceLogs(Path logs) {
    for (RmmService service : RmmService.values()) {
      try {
        Files.deleteIfExists(logs.resolve(service.module() + ".log"));
      } catch (IOException e) {
        throw new IllegalStateException("could not clear the old log of " + service, e);
      }
    }
  }

  /**
   * Kafka, PostgreSQL and Redis log through SLF4J (slf4j-simple): to a file, so that the console
   * shows only the stack's own lines. Must run before any logger is created.
   */
  private static void logInfrastructureTo(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new IllegalStateException("could not prepare " + file, e);
    }
    setDefault("org.slf4j.simpleLogger.logFile", file.toString());
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", "info");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd'T'HH:mm:ss.SSS");
  }

  private static void setDefault(String property, String value) {
    if (System.getProperty(property) == null) {
      System.setProperty(property, value);
    }
  }

  /**
   * The services' JVM options when {@code RMM_JVM_OPTIONS} is not set: a bounded heap. Without a
   * bound G1 sizes the heap from the machine (a quarter of its memory) and, after some load, keeps
   * 1.2-2.2 GB per service; capped (at 384 MiB, measured) the same runs ran as fast and each
   * service stayed near the cap plus ~200 MiB outside the heap. The periodic collection gives an
   * idle service's unused heap back. 512 MiB leaves room above the largest live set measured (the
   * orchestrator's, 322 MB with 156k releases in work). No small initial heap: {@code -Xms16m} made
   * G1 collect the young generation five times as often, and freshness p99 went 5x. See
   * docs/benchmarks.md, "A bound on the heap".
   */
  static final List<String> DEFAULT_JVM_OPTIONS =
      List.of("-Xmx512m", "-XX:G1PeriodicGCInterval=60000");

  /**
   * The services' JVM options: {@code RMM_JVM_OPTIONS} (space-separated) in place of {@link
   * #DEFAULT_JVM_OPTIONS}, e.g. for measuring collectors on the write path (docs/benchmarks.md).
   */
  static List<String> jvmOptions() {
    return jvmOptions(System.getenv("RMM_JVM_OPTIONS"));
  }

  static List<String> jvmOptions(String set) {
    if (set == null || set.isBlank()) {
      return DEFAULT_JVM_OPTIONS;
    }
    return java.util.Arrays.stream(set.trim().split("\\s+")).toList();
  }
}
