package dev.rmm.e2e;

import dev.rmm.local.LocalPostgres;
import dev.rmm.local.LocalStack;
import dev.rmm.local.Ports;
import dev.rmm.local.RmmService;
import dev.rmm.local.RmmStack;
import dev.rmm.local.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole rmm stack for one test class: a real Kafka broker, PostgreSQL and Redis in this JVM on
 * free ports with data in a temporary directory, and the four services as processes running the
 * quarkus-run.jar that {@code ./mvnw install} built, each on a free port. Everything is stopped and
 * deleted after the class; the services' logs stay in {@code target/e2e-logs/<test class>/}.
 *
 * <pre>{@code
 * @RegisterExtension static final StackExtension stack = new StackExtension();
 * }</pre>
 *
 * <p>Classes whose stacks would be the same can share one ({@link #sharedAs}, {@link SharedStack},
 * {@link FakesStack}): a start of the whole stack costs the build about half a minute on 2 cores.
 *
 * <p>release-api accepts {@link #API_TOKEN} for every repository; the approval policy is the demo
 * one of the local stack ({@link LocalStack#DEMO_APPROVERS}, {@link LocalStack#DEMO_ADMINS}). The
 * developer's own RMM_*, QUARKUS_*, KAFKA_*, REDIS_*, TELEGRAM_* and GITHUB_* variables are not
 * passed on, so a test never reaches a real Telegram or GitHub; {@link #withEnvironment} adds
 * variables (fake server URLs, tokens) for every service.
 */
public final class StackExtension implements BeforeAllCallback, AfterAllCallback {

  /** The bearer token release-api accepts, for any repository. */
  public static final String API_TOKEN = "rmm-e2e-token";

  /** -Drmm.e2e.ready-timeout (seconds) for a machine loaded by other work. */
  private static final Duration READY_TIMEOUT =
      Duration.ofSeconds(Long.getLong("rmm.e2e.ready-timeout", 60));

  /** C1 only: the services start about a third faster, and tests do not need peak speed. */
  static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1");

  private final Map<String, String> extraEnvironment = new LinkedHashMap<>();
  private final List<ServiceProcess> extraInstances =
      new java.util.concurrent.CopyOnWriteArrayList<>();
  private int kafkaBrokers = 1;
  private String sharedAs;
  private Started started;

  /** Adds a variable to every service's environment; call before the tests start. */
  public StackExtension withEnvironment(String name, String value) {
    extraEnvironment.put(name, value);
    return this;
  }

  /**
   * Runs Kafka as a cluster of {@code brokers} brokers and a dedicated controller ({@link
   * dev.rmm.local.LocalKafkaCluster}, reached through {@code stack().kafkaCluster()}) instead of
   * one node; call before the tests start.
   */
  public StackExtension withKafkaBrokers(int brokers) {
    this.kafkaBrokers = brokers;
    return this;
  }

  /**
   * One stack for every class of this test run that asks for it under {@code name}, instead of one
   * per class: the first such class starts it, it stays up between them and stops when the run ends
   * (JUnit closes the root context's store). Every class sharing it must set it up the same
   * (checked). Its classes must not get in each other's way: releases of services of their own, and
   * a service they kill or stop started again before they end (a class finding one down starts it
   * again, so that one failure does not fail the classes after it). Its logs are in {@code
   * target/e2e-logs/<name>/}. A class that starts another stack stops it first (at most one shared
   * stack is up): its classes should run one after the other ({@code @Order}).
   */
  public StackExtension sharedAs(String name) {
    this.sharedAs = name;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    ExtensionContext.Store store = context.getRoot().getStore(SHARED);
    closeTheSharedStackUnless(sharedAs, store);
    if (sharedAs == null) {
      started = Started.start(context.getRequiredTestClass().getSimpleName(), settingsKey());
      return;
    }
    store.put(SHARED_UP, sharedAs);
    started =
        store.computeIfAbsent(sharedAs, name -> Started.start(name, settingsKey()), Started.class);
    if (!started.key.equals(settingsKey())) {
      throw new IllegalStateException(
          "the shared stack "
              + sharedAs
              + " was started with other settings than "
              + context.getRequiredTestClass().getSimpleName()
              + " asks for: "
              + started.key.describe()
              + " against "
              + settingsKey().describe());
    }
    started.startWhatIsDown();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    ServiceProcess.stopAll(extraInstances, ServiceProcess.STOP_GRACE);
    extraInstances.clear();
    if (sharedAs == null && started != null) {
      started.close();
    }
  }

  private static final ExtensionContext.Namespace SHARED =
      ExtensionContext.Namespace.create(StackExtension.class, "shared");

  /** The store's key for the name of the shared stack that is up (at most one is). */
  private static final String SHARED_UP = "shared stack up";

  /**
   * At most one shared stack is up, and none beside a class's own: a class that starts another
   * stack first stops the shared one that is up (its classes run together, see {@code @Order} in
   * {@link SharedStack} and {@link FakesStack}, so it is not needed again; if it were, it would be
   * started again). Two idle stacks side by side would only take the 2 cores' time.
   */
  private static void closeTheSharedStackUnless(String wanted, ExtensionContext.Store store) {
    String up = store.get(SHARED_UP, String.class);
    if (up == null || up.equals(wanted)) {
      return;
    }
    store.remove(SHARED_UP);
    Started stack = store.remove(up, Started.class);
    if (stack != null) {
      System.out.println("[e2e stack " + up + "] stopped: its classes are done");
      stack.close();
    }
  }

  /** What makes two stacks the same: the services' environment and the number of brokers. */
  private record SettingsKey(Map<String, String> environment, int kafkaBrokers) {
    /** Without the values, which may be keys. */
    String describe() {
      return "variables "
          + new java.util.TreeSet<>(environment.keySet())
          + ", "
          + kafkaBrokers
          + " broker(s)";
    }
  }

  private SettingsKey settingsKey() {
    return new SettingsKey(Map.copyOf(extraEnvironment), kafkaBrokers);
  }

  /**
   * A started stack, its data and its logs; closing it stops everything and deletes the data (an
   * {@link AutoCloseable} in a JUnit store is closed with the store).
   */
  private static final class Started implements AutoCloseable {
    final SettingsKey key;
    final RmmStack stack;
    final Path dataDir;
    final Path logs;
    final Thread stopOnExit;

    private Started(SettingsKey key, RmmStack stack, Path dataDir, Path logs) {
      this.key = key;
      this.stack = stack;
      this.dataDir = dataDir;
      this.logs = logs;
      // if the test JVM is stopped before the end (Ctrl-C on Maven), the services must not outlive
      // it
      this.stopOnExit = new Thread(stack::stop, "rmm-e2e-stack-stop");
    }

    static Started start(String name, SettingsKey key) {
      Path root = repositoryRoot();
      RmmStack.requireBuilt(root, "run ./mvnw install first (./mvnw -B install -DskipTests)");
      Path dataDir;
      try {
        dataDir = Files.createTempDirectory("rmm-e2e-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      Path logs = root.resolve("deploy/e2e/target/e2e-logs").resolve(name);
      deleteRecursively(logs);
      Map<RmmService, Integer> httpPorts = new EnumMap<>(RmmService.class);
      for (RmmService service : RmmService.values()) {
        httpPorts.put(service, Ports.free());
      }
      RmmStack stack =
          new RmmStack(
              new RmmStack.Settings(
                  root,
                  dataDir.resolve("kafka"),
                  dataDir.resolve("postgres"),
                  logs,
                  Ports.free(),
                  Ports.free(),
                  Ports.free(),
                  httpPorts,
                  environment(key.environment()),
                  JVM_OPTIONS,
                  READY_TIMEOUT,
                  key.kafkaBrokers()),
              line -> System.out.println("[e2e stack " + name + "] " + line));
      Started started = new Started(key, stack, dataDir, logs);
      Runtime.getRuntime().addShutdownHook(started.stopOnExit);
      try {
        stack.start();
      } catch (RuntimeException e) {
        Runtime.getRuntime().removeShutdownHook(started.stopOnExit);
        deleteRecursively(dataDir);
        throw e;
      }
      return started;
    }

    /** A service a class before left stopped or killed (it failed half-way) is started again. */
    void startWhatIsDown() {
      for (RmmService service : RmmService.values()) {
        if (!stack.service(service).isAlive()) {
          System.out.println("[e2e stack] " + service + " was down: starting it again");
          stack.startService(service);
        }
      }
    }

    @Override
    public void close() {
      try {
        stack.stop();
        Runtime.getRuntime().removeShutdownHook(stopOnExit);
      } finally {
        deleteRecursively(dataDir);
      }
    }
  }

  /** For example {@code http://127.0.0.1:41234}, without a trailing slash. */
  public String baseUrl(RmmService service) {
    return stack().service(service).baseUrl();
  }

  /** release-api's base URL. */
  public String apiUrl() {
    return baseUrl(RmmService.RELEASE_API);
  }

  public String apiToken() {
    return API_TOKEN;
  }

  public String kafkaBootstrapServers() {
    return stack().kafkaBootstrapServers();
  }

  /** The read model's database; user {@link #jdbcUser()}, password {@link #jdbcPassword()}. */
  public String jdbcUrl() {
    return stack().postgres().jdbcUrl();
  }

  public String jdbcUser() {
    return LocalPostgres.USER;
  }

  public String jdbcPassword() {
    return LocalPostgres.PASSWORD;
  }

  public String redisUrl() {
    return stack().redis().url();
  }

  /** Stops one service gracefully (SIGTERM; killed after 10 s); its port stays reserved for it. */
  public void stopService(RmmService service) {
    stack().stopService(service);
  }

  /** Kills one service at once (SIGKILL), as a crash would. */
  public void killService(RmmService service) {
    stack().killService(service);
  }

  /** Starts a stopped or killed service again on its port and waits until it is ready. */
  public void startService(RmmService service) {
    stack().startService(service);
  }

  public Path logFile(RmmService service) {
    return stack().service(service).logFile();
  }

  /**
   * Starts one more instance of a service, on its own port, wired to this stack like the first; it
   * is stopped after the class (or earlier with {@link ServiceProcess#stop()}).
   */
  public ServiceProcess startAnotherInstance(RmmService service) {
    Path root = repositoryRoot();
    int port = Ports.free();
    Map<String, String> env = new HashMap<>(environment(extraEnvironment));
    env.putAll(stack().wiring(service));
    env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
    ServiceProcess p =
        new ServiceProcess(
            service,
            service.runnerJar(root),
            port,
            env,
            JVM_OPTIONS,
            started.logs.resolve(service.module() + "-" + (extraInstances.size() + 2) + ".log"));
    extraInstances.add(p);
    p.start();
    p.awaitReady(READY_TIMEOUT);
    return p;
  }

  /** The stack itself, for what the methods above do not cover (restarting Kafka, ...). */
  public RmmStack stack() {
    if (started == null) {
      throw new IllegalStateException("the stack is started before the class's tests, not yet");
    }
    return started.stack;
  }

  private static Map<String, String> environment(Map<String, String> extra) {
    Map<String, String> env = LocalStack.isolatedEnvironment(API_TOKEN);
    env.putAll(extra);
    return env;
  }

  /** The checkout this module lives in: Failsafe runs in deploy/e2e and sets {@code basedir}. */
  static Path repositoryRoot() {
    Path start = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
    for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("deploy/infra/pom.xml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no rmm checkout (deploy/infra/pom.xml) above " + start);
  }

  static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }
}
