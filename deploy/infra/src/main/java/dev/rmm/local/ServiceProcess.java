package dev.rmm.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One service running as {@code java -jar quarkus-run.jar} in a child process, its output appended
 * to a log file. It can be stopped gracefully (SIGTERM, then killed after a grace period), killed
 * outright to simulate a crash, and started again on the same port.
 */
public final class ServiceProcess {

  /** How long a service may take to shut down after SIGTERM before it is killed. */
  public static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private static final int LOG_TAIL_LINES = 40;

  private final RmmService service;
  private final Path jar;
  private final int port;
  private final Map<String, String> environment;
  private final List<String> jvmOptions;
  private final Path logFile;
  private final ClassDataArchives classData;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private volatile Process process;

  /**
   * @param environment the child's whole environment (nothing else is inherited)
   * @param jvmOptions options placed before {@code -jar}
   */
  public ServiceProcess(
      RmmService service,
      Path jar,
      int port,
      Map<String, String> environment,
      List<String> jvmOptions,
      Path logFile) {
    this(service, jar, port, environment, jvmOptions, logFile, ClassDataArchives.NONE);
  }

  /**
   * @param classData the service's class data archive, used or recorded ({@link ClassDataArchives})
   */
  ServiceProcess(
      RmmService service,
      Path jar,
      int port,
      Map<String, String> environment,
      List<String> jvmOptions,
      Path logFile,
      ClassDataArchives classData) {
    this.classData = classData;
    this.service = service;
    this.jar = jar;
    this.port = port;
    this.environment = Map.copyOf(environment);
    this.jvmOptions = List.copyOf(jvmOptions);
    this.logFile = logFile;
  }

  /** Launches the process and returns at once; see {@link #awaitReady(Duration)}. */
  public synchronized void start() {
    if (isAlive()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(classData.options(service, jar, jvmOptions));
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(jar.getParent().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    builder.environment().clear();
    builder.environment().putAll(environment);
    try {
      Files.createDirectories(logFile.getParent());
      Files.writeString(
          logFile,
          "----- " + Instant.now() + " starting " + service + " on port " + port + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not launch " + service + " (" + jar + ")", e);
    }
  }

  /**
   * Waits until {@code /q/health/ready} answers 200.
   *
   * @throws IllegalStateException when the process exits or the time is up, with the log's tail
   */
  public void awaitReady(Duration timeout) {
    URI ready = URI.create(baseUrl() + "/q/health/ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    String lastAnswer = "no answer";
    while (System.nanoTime() < deadline) {
      Process current = process;
      if (current == null || !current.isAlive()) {
        throw new IllegalStateException(
            service
                + " exited"
                + (current == null ? "" : " with code " + current.exitValue())
                + " while starting; the last lines of "
                + logFile
                + ":\n"
                + logTail());
      }
      try {
        HttpResponse<String> response =
            http.send(
                HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() == 200) {
          return;
        }
        lastAnswer = response.statusCode() + " " + response.body();
      } catch (IOException e) {
        lastAnswer = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + service, e);
      }
      sleep(100);
    }
    throw new IllegalStateException(
        service
            + " was not ready after "
            + timeout.toSeconds()
            + " s (last answer from "
            + ready
            + ": "
            + lastAnswer
            + "); the last lines of "
            + logFile
            + ":\n"
            + logTail());
  }

  /** SIGTERM, then SIGKILL after {@link #STOP_GRACE}; returns when the process is gone. */
  public void stop() {
    stopAll(List.of(this), STOP_GRACE);
  }

  /** SIGKILL at once, as a crash would; returns when the process is gone. */
  public void kill() {
    Process current = process;
    if (current != null) {
      current.destroyForcibly();
      waitFor(current, Duration.ofSeconds(30));
      classData.exited(service, jar, false);
    }
  }

  /**
   * Stops several services at once: SIGTERM to all, then SIGKILL to those still running after
   * {@code grace}.
   */
  public static void stopAll(Collection<ServiceProcess> services, Duration grace) {
    List<ServiceProcess> running = new ArrayList<>();
    for (ServiceProcess service : services) {
      Process current = service.process;
      if (current != null && current.isAlive()) {
        current.destroy();
        running.add(service);
      }
    }
    long deadline = System.nanoTime() + grace.toNanos();
    for (ServiceProcess service : running) {
      Process current = service.process;
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      boolean endedByItself = waitFor(current, left);
      if (!endedByItself) {
        current.descendants().forEach(ProcessHandle::destroyForcibly);
        current.destroyForcibly();
        waitFor(current, Duration.ofSeconds(30));
      }
      service.classData.exited(service.service, service.jar, endedByItself);
    }
  }

  public boolean isAlive() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /** Completes when the current process exits (for reporting unexpected exits). */
  public CompletableFuture<Process> onExit() {
    Process current = process;
    return current == null ? CompletableFuture.completedFuture(null) : current.onExit();
  }

  public RmmService service() {
    return service;
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public Path logFile() {
    return logFile;
  }

  /** The last lines of the log file, for error messages. */
  public String logTail() {
    try {
      List<String> lines =
          new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines().toList();
      return String.join(
          "\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
    } catch (IOException e) {
      return "(could not read " + logFile + ": " + e + ")";
    }
  }

  private static boolean waitFor(Process process, Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
