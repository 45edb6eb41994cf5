package dev.rmm.local;

import java.nio.file.Path;

/** The four rmm services, each a Quarkus application built into its module's quarkus-app. */
public enum RmmService {
  RELEASE_API("release-api", 8081, "RMM_API_PORT"),
  RELEASE_PROJECTOR("release-projector", 8082, "RMM_PROJECTOR_PORT"),
  TELEGRAM_GATEWAY("telegram-gateway", 8083, "RMM_GATEWAY_PORT"),
  DEPLOY_ORCHESTRATOR("deploy-orchestrator", 8084, "RMM_ORCHESTRATOR_PORT");

  private final String module;
  private final int defaultPort;
  private final String portVariable;

  RmmService(String module, int defaultPort, String portVariable) {
    this.module = module;
    this.defaultPort = defaultPort;
    this.portVariable = portVariable;
  }

  /** The Maven module directory, relative to the repository root; also the log file name. */
  public String module() {
    return module;
  }

  /** The HTTP port of the local stack. */
  public int defaultPort() {
    return defaultPort;
  }

  /** The environment variable that moves the local stack's HTTP port. */
  public String portVariable() {
    return portVariable;
  }

  /** What {@code ./mvnw install} builds: {@code <module>/target/quarkus-app/quarkus-run.jar}. */
  public Path runnerJar(Path repositoryRoot) {
    return repositoryRoot.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
  }

  @Override
  public String toString() {
    return module;
  }
}
