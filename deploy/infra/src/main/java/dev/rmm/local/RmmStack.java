package dev.rmm.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Kafka, PostgreSQL and Redis, and the four services as child processes wired to them. Shared by
 * the local stack ({@link LocalStack}) and the end-to-end tests, which differ only in their {@link
 * Settings}.
 */
public final class RmmStack {

  /**
   * Where the stack keeps its data and which ports it uses.
   *
   * @param repositoryRoot where the services' modules are built
   * @param httpPorts one HTTP port per service
   * @param environment the services' environment before the wiring to this stack is added (the
   *     wiring, see {@link RmmStack#wiring}, always wins)
   * @param jvmOptions options for each service's JVM
   * @param readyTimeout how long each service may take to answer {@code /q/health/ready}
   * @param kafkaBrokers 1: one combined KRaft node ({@link LocalKafka}); more: a cluster of that
   *     many brokers and a dedicated controller ({@link LocalKafkaCluster}), the first broker on
   *     {@code kafkaPort}, the others on free ports
   */
  public record Settings(
      Path repositoryRoot,
      Path kafkaDir,
      Path postgresDir,
      Path logDir,
      int kafkaPort,
      int postgresPort,
      int redisPort,
      Map<RmmService, Integer> httpPorts,
      Map<String, String> environment,
      List<String> jvmOptions,
      Duration readyTimeout,
      int kafkaBrokers) {

    public Settings {
      if (kafkaBrokers < 1) {
        throw new IllegalArgumentException("kafkaBrokers must be at least 1, not " + kafkaBrokers);
      }
    }

    /** One Kafka node, as the local stack runs it. */
    public Settings(
        Path repositoryRoot,
        Path kafkaDir,
        Path postgresDir,
        Path logDir,
        int kafkaPort,
        int postgresPort,
        int redisPort,
        Map<RmmService, Integer> httpPorts,
        Map<String, String> environment,
        List<String> jvmOptions,
        Duration readyTimeout) {
      this(
          repositoryRoot,
          kafkaDir,
          postgresDir,
          logDir,
          kafkaPort,
          postgresPort,
          redisPort,
          httpPorts,
          environment,
          jvmOptions,
          readyTimeout,
          1);
    }

    /** The same settings with {@code brokers} Kafka brokers. */
    public Settings withKafkaBrokers(int brokers) {
      return new Settings(
          repositoryRoot,
          kafkaDir,
          postgresDir,
          logDir,
          kafkaPort,
          postgresPort,
          redisPort,
          httpPorts,
          environment,
          jvmOptions,
          readyTimeout,
          brokers);
    }
  }

  private final Settings settings;

  /** The services' class data archives: none unless {@link #keepClassDataIn} was called. */
  private volatile ClassDataArchives classData = ClassDataArchives.NONE;

  private final Consumer<String> progress;
  private final Map<RmmService, ServiceProcess> services = new EnumMap<>(RmmService.class);
  private LocalKafka kafka;
  private LocalKafkaCluster kafkaCluster;
  private LocalPostgres postgres;
  private LocalRedis redis;
  private boolean stopped;

  /**
   * @param progress receives one line per component as it comes up
   */
  public RmmStack(Settings settings, Consumer<String> progress) {
    this.settings = settings;
    this.progress = progress;
  }

  /**
   * Fails unless every service's quarkus-run.jar exists under {@code repositoryRoot}.
   *
   * @param hint what to run to build them, for the message
   */
  public static void requireBuilt(Path repositoryRoot, String hint) {
    List<String> missing = new ArrayList<>();
    for (RmmService service : RmmService.values()) {
      Path jar = service.runnerJar(repositoryRoot);
      if (!Files.isRegularFile(jar)) {
        missing.add(jar.toString());
      }
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the services are not built (missing " + String.join(", ", missing) + "): " + hint);
    }
  }

  /**
   * Starts everything and returns when every service is ready. On failure whatever was started is
   * stopped again and the exception says which part failed and why. {@link #stop()} may be called
   * from another thread meanwhile (Ctrl-C during the start): it stops what is running and the start
   * fails.
   */
  public void start() {
    // check every port before anything starts, so a clash fails at once and leaves nothing behind
    boolean cluster = settings.kafkaBrokers() > 1;
    LocalKafka kafka = cluster ? null : new LocalKafka(settings.kafkaDir(), settings.kafkaPort());
    LocalKafkaCluster kafkaCluster =
        cluster
            ? new LocalKafkaCluster(
                settings.kafkaDir(), settings.kafkaPort(), settings.kafkaBrokers())
            : null;
    LocalPostgres postgres = new LocalPostgres(settings.postgresDir(), settings.postgresPort());
    LocalRedis redis = new LocalRedis(settings.redisPort());
    if (cluster) {
      kafkaCluster.requirePortFree();
    } else {
      kafka.requirePortFree();
    }
    postgres.requirePortFree();
    redis.requirePortFree();
    for (RmmService service : RmmService.values()) {
      Ports.requireFree(httpPort(service), service.module(), service.portVariable());
    }
    try {
      long begin = System.nanoTime();
      synchronized (this) {
        requireNotStopped();
        this.kafka = kafka;
        this.kafkaCluster = kafkaCluster;
      }
      if (cluster) {
        kafkaCluster.start();
        progress.accept(
            line(
                "Kafka (" + kafkaCluster.brokerCount() + " brokers)",
                kafkaCluster.bootstrapServers(),
                begin,
                dataNote(kafkaCluster.reusedData())));
      } else {
        kafka.start();
        progress.accept(
            line("Kafka", kafka.bootstrapServers(), begin, dataNote(kafka.reusedData())));
      }

      begin = System.nanoTime();
      synchronized (this) {
        requireNotStopped();
        this.postgres = postgres;
      }
      postgres.start();
      progress.accept(
          line("PostgreSQL", postgres.jdbcUrl(), begin, dataNote(postgres.reusedData())));

      begin = System.nanoTime();
      synchronized (this) {
        requireNotStopped();
        this.redis = redis;
      }
      redis.start();
      progress.accept(line("Redis", redis.url(), begin, redis.binary()));

      startServices();
    } catch (RuntimeException | Error e) { // an OutOfMemoryError too must not leave Kafka running
      try {
        stop();
      } catch (RuntimeException stopFailure) {
        e.addSuppressed(stopFailure);
      }
      throw e;
    }
  }

  /**
   * Stops the services (SIGTERM, killed after 10 s), then Redis, PostgreSQL and Kafka. Calling it
   * again does nothing more.
   */
  public void stop() {
    List<ServiceProcess> running;
    List<AutoCloseable> servers;
    synchronized (this) {
      stopped = true;
      running = List.copyOf(services.values());
      servers = new ArrayList<>();
      servers.add(redis);
      servers.add(postgres);
      servers.add(kafka);
      servers.add(kafkaCluster);
    }
    List<RuntimeException> failures = new ArrayList<>();
    ServiceProcess.stopAll(running, ServiceProcess.STOP_GRACE);
    servers.forEach(server -> stopQuietly(server, failures));
    if (!failures.isEmpty()) {
      IllegalStateException failure =
          new IllegalStateException("the stack did not stop cleanly", failures.get(0));
      failures.subList(1, failures.size()).forEach(failure::addSuppressed);
      throw failure;
    }
  }

  /** Starts one service again (after {@link #stopService} or {@link #killService}). */
  public void startService(RmmService service) {
    ServiceProcess process = service(service);
    process.start();
    process.awaitReady(settings.readyTimeout());
  }

  /** Stops one service gracefully (SIGTERM; killed after 10 s). */
  public void stopService(RmmService service) {
    service(service).stop();
  }

  /** Kills one service at once (SIGKILL), as a crash would. */
  public void killService(RmmService service) {
    service(service).kill();
  }

  /**
   * Each service records its loaded classes into an archive in {@code dir} when it first stops, and
   * maps them from it on later starts ({@link ClassDataArchives}); call before {@link #start}.
   */
  public void keepClassDataIn(Path dir) {
    this.classData = new ClassDataArchives(dir);
  }

  public synchronized ServiceProcess service(RmmService service) {
    ServiceProcess process = services.get(service);
    if (process == null) {
      throw new IllegalStateException(service + " is not part of a started stack");
    }
    return process;
  }

  /** The single Kafka node; a stack of several brokers has {@link #kafkaCluster()} instead. */
  public synchronized LocalKafka kafka() {
    if (kafkaCluster != null) {
      throw new IllegalStateException(
          "this stack runs "
              + kafkaCluster.brokerCount()
              + " Kafka brokers: use kafkaCluster() or kafkaBootstrapServers()");
    }
    return kafka;
  }

  /** The Kafka cluster of a stack with several brokers ({@link Settings#kafkaBrokers()} > 1). */
  public synchronized LocalKafkaCluster kafkaCluster() {
    if (kafkaCluster == null) {
      throw new IllegalStateException("this stack runs a single Kafka node: use kafka()");
    }
    return kafkaCluster;
  }

  /** Every broker's address, comma separated. */
  public synchronized String kafkaBootstrapServers() {
    return kafkaCluster != null ? kafkaCluster.bootstrapServers() : kafka.bootstrapServers();
  }

  public synchronized LocalPostgres postgres() {
    return postgres;
  }

  public synchronized LocalRedis redis() {
    return redis;
  }

  public int httpPort(RmmService service) {
    return settings.httpPorts().getOrDefault(service, service.defaultPort());
  }

  /**
   * The variables that connect a service to this stack. They are the contract with the services'
   * configuration and override anything in {@link Settings#environment()}.
   */
  public Map<String, String> wiring(RmmService service) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("KAFKA_BOOTSTRAP_SERVERS", kafkaBootstrapServers());
    env.put("QUARKUS_DATASOURCE_REACTIVE_URL", postgres.reactiveUrl());
    env.put("QUARKUS_DATASOURCE_JDBC_URL", postgres.jdbcUrl());
    env.put("QUARKUS_DATASOURCE_USERNAME", LocalPostgres.USER);
    env.put("QUARKUS_DATASOURCE_PASSWORD", LocalPostgres.PASSWORD);
    env.put("QUARKUS_REDIS_HOSTS", redis.url());
    env.put("QUARKUS_HTTP_PORT", String.valueOf(httpPort(service)));
    return env;
  }

  /** Secrets in {@link Settings#environment()} that only one service is given. */
  static final Map<String, RmmService> ONLY_FOR =
      Map.of(CheckpointKeyFiles.PRIVATE_KEY_VARIABLE, RmmService.RELEASE_API);

  private void startServices() {
    long launched = System.nanoTime();
    for (RmmService service : RmmService.values()) {
      Map<String, String> env = new HashMap<>(settings.environment());
      ONLY_FOR.forEach(
          (variable, owner) -> {
            if (service != owner) {
              env.remove(variable);
            }
          });
      env.putAll(wiring(service));
      ServiceProcess process =
          new ServiceProcess(
              service,
              service.runnerJar(settings.repositoryRoot()),
              httpPort(service),
              env,
              settings.jvmOptions(),
              settings.logDir().resolve(service.module() + ".log"),
              classData);
      synchronized (this) {
        requireNotStopped();
        services.put(service, process);
        process.start();
      }
    }
    for (ServiceProcess process : services.values()) {
      process.awaitReady(settings.readyTimeout());
      progress.accept(
          String.format(
              "%-20s %s ready after %.1f s",
              process.service(), process.baseUrl(), seconds(launched)));
    }
  }

  private void requireNotStopped() {
    if (stopped) {
      throw new IllegalStateException("the stack was stopped while it was starting");
    }
  }

  private static String line(String what, String address, long begin, String note) {
    return String.format("%-20s %s up in %.1f s (%s)", what, address, seconds(begin), note);
  }

  private static String dataNote(boolean reused) {
    return reused ? "reusing its data" : "new data directory";
  }

  private static double seconds(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1e9;
  }

  private static void stopQuietly(AutoCloseable component, List<RuntimeException> failures) {
    if (component == null) {
      return;
    }
    try {
      component.close();
    } catch (RuntimeException e) {
      failures.add(e);
    } catch (Exception e) {
      failures.add(new IllegalStateException(e));
    }
  }
}
