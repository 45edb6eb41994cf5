package dev.rmm.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/compose.yaml} and the files it mounts, checked without a Docker engine: the file
 * follows the Compose specification (its JSON schema, vendored from compose-spec/compose-spec as
 * {@code compose-spec.json}), every reference in it resolves (dependencies, Dockerfiles, mounted
 * files, Prometheus targets, dashboard data sources), each service gets the wiring it needs and
 * only variables it reads, and every variable taken from the environment is in the one table of
 * {@code deploy/README.md}. {@code docker compose config} (or Debian's {@code docker-compose})
 * checks it too where one is installed; without either, only that check is skipped.
 */
class ComposeFileTest {

  /** The value every service must get for each of these variables (service -> name -> value). */
  private static final Map<String, Map<String, String>> WIRING = wiring();

  /**
   * Variables a service does not read yet, passed on purpose: the OpenTelemetry exporter and the
   * Grafana address for the gateway's alert links are being added to the services.
   */
  private static final Set<String> COMING =
      Set.of("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "RMM_GRAFANA_URL");

  /** Variables that hold secrets: never a default value in the compose file. */
  private static final Set<String> SECRETS =
      Set.of(
          "RMM_API_TOKENS",
          "RMM_CONSOLE_TELEGRAM_BOT_TOKEN",
          "RMM_CONSOLE_COOKIE_KEY",
          "TELEGRAM_BOT_TOKEN",
          "TELEGRAM_WEBHOOK_SECRET",
          "TELEGRAM_CALLBACK_SECRET",
          "GITHUB_TOKEN",
          "GITHUB_APP_PRIVATE_KEY",
          "POSTGRES_PASSWORD",
          "RMM_READER_PASSWORD",
          "QUARKUS_DATASOURCE_PASSWORD",
          "QUARKUS_REDIS_PASSWORD",
          "REDISCLI_AUTH",
          "GF_SECURITY_ADMIN_PASSWORD");

  /** Passwords compose refuses to start without (no weak default such as postgres/postgres). */
  private static final Set<String> REQUIRED_PASSWORDS =
      Set.of(
          "POSTGRES_PASSWORD", "RMM_READER_PASSWORD", "REDIS_PASSWORD", "GRAFANA_ADMIN_PASSWORD");

  /** Services reachable from other machines: the pipelines' API and Telegram's webhook. */
  private static final Set<String> PUBLIC = Set.of("release-api", "telegram-gateway");

  /** What every required variable is set to when docker compose checks the file. */
  private static final Map<String, String> REQUIRED_ENV =
      Map.of(
          "RMM_API_TOKENS", "*=sha256:" + "0".repeat(64),
          "POSTGRES_PASSWORD", "p1",
          "RMM_READER_PASSWORD", "p2",
          "REDIS_PASSWORD", "p3",
          "GRAFANA_ADMIN_PASSWORD", "p4");

  /** The metrics release-projector exposes for the delivery dashboard. */
  private static final List<String> DELIVERY_METRICS =
      List.of(
          "rmm_releases",
          "rmm_deployments_total",
          "rmm_release_duration_seconds",
          "rmm_lead_time_seconds",
          "rmm_approval_wait_seconds",
          "rmm_stage_failure_ratio",
          "rmm_production_failure_ratio",
          "rmm_rollbacks_total",
          "rmm_time_to_restore_seconds");

  /** Where compose-spec.json (in src/test/resources) comes from. */
  private static final String COMPOSE_SPEC =
      "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json";

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)([^}]*)}");
  private static final Pattern BACKTICKED = Pattern.compile("`([A-Z][A-Z0-9_]+)`");

  private static Path root;
  private static Path deploy;
  private static JsonNode compose;
  private static JsonNode services;

  @BeforeAll
  static void read() {
    root = ComposeProject.root();
    deploy = ComposeProject.deployDir();
    compose = ComposeProject.readYaml(ComposeProject.composeFile());
    services = compose.path("services");
  }

  @Test
  void theFileFollowsTheComposeSpecification() throws IOException {
    JsonSchema schema;
    try (InputStream in = getClass().getResourceAsStream("/compose-spec.json")) {
      assertThat(in).as("compose-spec.json on the test classpath").isNotNull();
      // the schema's own $id is relative ("compose_spec.json"): give it the address it is
      // published at as its base; nothing is fetched, the schema is read from the classpath
      schema =
          JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7)
              .getSchema(SchemaLocation.of(COMPOSE_SPEC), EventCodec.mapper().readTree(in));
    }
    java.util.Set<ValidationMessage> errors = schema.validate(compose);
    assertThat(errors).as("compose.yaml against the Compose specification").isEmpty();
    assertThat(compose.has("version")).as("the obsolete top-level version key").isFalse();
  }

  @Test
  void everyDependencyIsAServiceAndWaitsForWhatItCanSee() {
    services
        .fields()
        .forEachRemaining(
            service ->
                service
                    .getValue()
                    .path("depends_on")
                    .fields()
                    .forEachRemaining(
                        dependency -> {
                          String what = service.getKey() + " depends on " + dependency.getKey();
                          assertThat(services.has(dependency.getKey())).as(what).isTrue();
                          String condition = dependency.getValue().path("condition").asText();
                          assertThat(condition)
                              .as(what)
                              .isIn(
                                  "service_started",
                                  "service_healthy",
                                  "service_completed_successfully");
                          if (condition.equals("service_healthy")) {
                            assertThat(services.path(dependency.getKey()).has("healthcheck"))
                                .as(what + " being healthy, so it needs a healthcheck")
                                .isTrue();
                          }
                        }));
  }

  @Test
  void eachServiceIsBuiltFromItsQuarkusDockerfileWithASmallContext() throws IOException {
    for (Map.Entry<String, Integer> entry : ComposeProject.SERVICE_PORTS.entrySet()) {
      String name = entry.getKey();
      JsonNode build = services.path(name).path("build");
      Path context = deploy.resolve(build.path("context").asText()).normalize();
      assertThat(context).as(name + "'s build context").isEqualTo(root.resolve(name));
      Path dockerfile = context.resolve(build.path("dockerfile").asText());
      assertThat(dockerfile).as(name + "'s Dockerfile").isRegularFile();
      assertThat(context.resolve(".dockerignore")).as(name + "'s .dockerignore").isRegularFile();
      String text = Files.readString(dockerfile);
      assertThat(text)
          .as(dockerfile.toString())
          .containsPattern("(?m)^FROM registry\\.access\\.redhat\\.com/ubi9/openjdk-17-runtime:\\d")
          .contains("COPY --chown=185 target/quarkus-app/lib/ /deployments/lib/")
          .contains("COPY --chown=185 target/quarkus-app/quarkus/ /deployments/quarkus/")
          .containsPattern("(?m)^USER 185$")
          .containsPattern("(?m)^EXPOSE " + entry.getValue() + "$")
          .contains("JAVA_OPTS_APPEND=\"-Dquarkus.http.host=0.0.0.0");
    }
    services
        .fields()
        .forEachRemaining(
            s -> {
              if (!s.getValue().has("build")) {
                assertThat(s.getValue().path("image").asText())
                    .as(s.getKey() + "'s image has a pinned tag")
                    .matches("[^:]+:[^:]+")
                    .doesNotEndWith(":latest");
              }
            });
  }

  @Test
  void everyMountedFileExists() {
    List<String> mounts = new ArrayList<>();
    services
        .fields()
        .forEachRemaining(
            s ->
                s.getValue()
                    .path("volumes")
                    .forEach(
                        volume -> {
                          String source = volume.asText().split(":")[0];
                          if (source.startsWith(".")) {
                            mounts.add(source);
                            assertThat(deploy.resolve(source))
                                .as(s.getKey() + " mounts " + source)
                                .exists();
                          } else {
                            assertThat(compose.path("volumes").has(source))
                                .as(s.getKey() + "'s volume " + source + " is declared")
                                .isTrue();
                          }
                        }));
    assertThat(mounts)
        .contains(
            "./otel/collector.yaml",
            "./tempo/tempo.yaml",
            "./loki/loki.yaml",
            "./prometheus/prometheus.yml",
            "./grafana/provisioning/datasources",
            "./grafana/provisioning/dashboards",
            "./grafana/dashboards");
  }

  @Test
  void eachServiceIsWiredToKafkaPostgresRedisAndTheCollectorAndChecksItsReadiness() {
    WIRING.forEach(
        (name, expected) -> {
          JsonNode service = services.path(name);
          Map<String, String> env = environment(service);
          expected.forEach(
              (variable, value) ->
                  assertThat(env).as(name + "'s environment").containsEntry(variable, value));
          int port = ComposeProject.SERVICE_PORTS.get(name);
          assertThat(texts(service.path("ports")))
              .as(name)
              .containsExactly((PUBLIC.contains(name) ? "" : "127.0.0.1:") + port + ":" + port);
          assertThat(texts(service.path("healthcheck").path("test")))
              .as(name + "'s healthcheck")
              .anySatisfy(
                  t -> assertThat(t).contains("http://localhost:" + port + "/q/health/ready"));
          assertThat(service.path("depends_on").path("kafka").path("condition").asText())
              .as(name + " waits for Kafka")
              .isEqualTo("service_healthy");
          if (!name.equals("release-api")) {
            assertThat(service.path("depends_on").path("release-api").path("condition").asText())
                .as(name + " waits for release-api, which creates the topics")
                .isEqualTo("service_healthy");
          }
        });
    assertThat(environment(services.path("kafka")))
        .as("the broker must not auto-create rmm's topics (release-api creates them)")
        .containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    assertThat(environment(services.path("kafka")).get("KAFKA_ADVERTISED_LISTENERS"))
        .contains("//kafka:29092");
  }

  @Test
  void theServicesGetOnlyVariablesTheirConfigurationDocuments() throws IOException {
    Map<String, Set<String>> documented = documentedVariables();
    for (String name : ComposeProject.SERVICE_PORTS.keySet()) {
      Set<String> unknown = new TreeSet<>(environment(services.path(name)).keySet());
      unknown.removeAll(documented.getOrDefault(name, Set.of()));
      unknown.removeAll(COMING);
      assertThat(unknown)
          .as(
              name
                  + " gets variables that no Configuration table (README.md, "
                  + name
                  + "/README.md) lists for it")
          .isEmpty();
    }
  }

  @Test
  void infrastructureListensOnLoopbackOnlyAndNeedsItsPasswords() throws IOException {
    services
        .fields()
        .forEachRemaining(
            s -> {
              if (!ComposeProject.SERVICE_PORTS.containsKey(s.getKey())) {
                assertThat(texts(s.getValue().path("ports")))
                    .as(s.getKey() + " publishes its ports on 127.0.0.1 only")
                    .allMatch(p -> p.startsWith("127.0.0.1:"));
              }
            });
    String file = Files.readString(ComposeProject.composeFile());
    for (String password : REQUIRED_PASSWORDS) {
      assertThat(file).as(password + " is required").contains("${" + password + ":?");
      assertThat(file).as(password + " has no default").doesNotContain("${" + password + ":-");
    }
    assertThat(environment(services.path("release-api")).get("QUARKUS_DATASOURCE_USERNAME"))
        .as("release-api only reads the read model")
        .isEqualTo("rmm_reader");
    assertThat(environment(services.path("telegram-gateway")).get("QUARKUS_DATASOURCE_USERNAME"))
        .as("the gateway only reads the read model")
        .isEqualTo("rmm_reader");
    assertThat(texts(services.path("redis").path("command"))).contains("--requirepass");
  }

  @Test
  void secretsComeFromTheEnvironmentWithoutDefaults() {
    services
        .fields()
        .forEachRemaining(
            s ->
                environment(s.getValue())
                    .forEach(
                        (name, value) -> {
                          if (SECRETS.contains(name)) {
                            assertThat(value)
                                .as(s.getKey() + ": " + name)
                                // its own variable or another secret's, never a value
                                .matches("\\$\\{[A-Z][A-Z0-9_]*(:-|:\\?[^}]+)}");
                          }
                        }));
    assertThat(environment(services.path("release-api")).get("RMM_API_TOKENS"))
        .as("release-api is useless without tokens: compose stops with a message")
        .startsWith("${RMM_API_TOKENS:?");
  }

  @Test
  void everyVariableFromTheEnvironmentIsInTheOneTableOfDeployReadme() throws IOException {
    Set<String> used = new TreeSet<>();
    Matcher m = VARIABLE.matcher(Files.readString(ComposeProject.composeFile()));
    while (m.find()) {
      used.add(m.group(1));
    }
    Set<String> table = new TreeSet<>();
    for (List<String> row : table(deploy.resolve("README.md"), "### Environment variables")) {
      table.addAll(backticked(row.get(0)));
    }
    assertThat(table).as("variables of deploy/README.md's table").containsAll(used);
    assertThat(used).as("the table lists only variables compose.yaml reads").containsAll(table);
  }

  @Test
  void prometheusScrapesTheFourServicesAtQuarkusMetrics() {
    JsonNode config = ComposeProject.readYaml(deploy.resolve("prometheus/prometheus.yml"));
    Map<String, String> pathByTarget = new LinkedHashMap<>();
    config
        .path("scrape_configs")
        .forEach(
            job ->
                job.path("static_configs")
                    .forEach(
                        c ->
                            c.path("targets")
                                .forEach(
                                    t ->
                                        pathByTarget.put(
                                            t.asText(),
                                            job.path("metrics_path").asText("/metrics")))));
    ComposeProject.SERVICE_PORTS.forEach(
        (name, port) -> {
          assertThat(pathByTarget).containsEntry(name + ":" + port, "/q/metrics");
          assertThat(services.has(name)).isTrue();
        });
  }

  @Test
  void theCollectorSendsTracesToTempoAndLogsToLokisOtlpEndpoint() {
    JsonNode collector = ComposeProject.readYaml(deploy.resolve("otel/collector.yaml"));
    JsonNode otlp = collector.path("receivers").path("otlp").path("protocols");
    assertThat(otlp.path("grpc").path("endpoint").asText()).isEqualTo("0.0.0.0:4317");
    assertThat(otlp.path("http").path("endpoint").asText()).isEqualTo("0.0.0.0:4318");
    JsonNode pipelines = collector.path("service").path("pipelines");
    String tracesTo = pipelines.path("traces").path("exporters").path(0).asText();
    String logsTo = pipelines.path("logs").path("exporters").path(0).asText();
    assertThat(tracesTo).startsWith("otlp");
    assertThat(collector.path("exporters").path(tracesTo).path("endpoint").asText())
        .isEqualTo("tempo:4317");
    assertThat(logsTo).startsWith("otlphttp");
    assertThat(collector.path("exporters").path(logsTo).path("endpoint").asText())
        .isEqualTo("http://loki:3100/otlp");
    assertThat(
            ComposeProject.readYaml(deploy.resolve("loki/loki.yaml"))
                .path("limits_config")
                .path("allow_structured_metadata")
                .asBoolean())
        .as("Loki keeps OTLP's trace_id as structured metadata")
        .isTrue();
    for (String name : ComposeProject.SERVICE_PORTS.keySet()) {
      assertThat(environment(services.path(name)))
          .containsEntry("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel-collector:4317");
    }
  }

  @Test
  void theDataSourcesLinkTracesToLogsAndBack() {
    Map<String, JsonNode> sources = dataSources();
    assertThat(sources).containsOnlyKeys("prometheus", "tempo", "loki");
    assertThat(sources.get("prometheus").path("url").asText()).isEqualTo("http://prometheus:9090");
    assertThat(sources.get("tempo").path("url").asText()).isEqualTo("http://tempo:3200");
    assertThat(sources.get("loki").path("url").asText()).isEqualTo("http://loki:3100");
    JsonNode tracesToLogs = sources.get("tempo").path("jsonData").path("tracesToLogsV2");
    assertThat(tracesToLogs.path("datasourceUid").asText()).isEqualTo("loki");
    assertThat(tracesToLogs.path("query").asText()).contains("trace_id=");
    JsonNode derived = sources.get("loki").path("jsonData").path("derivedFields").path(0);
    assertThat(derived.path("datasourceUid").asText()).isEqualTo("tempo");
    assertThat(derived.path("matcherRegex").asText()).isEqualTo("trace_id");
  }

  @Test
  void theDashboardsParseAndUseOnlyTheProvisionedDataSources() throws IOException {
    Set<String> uids = dataSources().keySet();
    JsonNode provider =
        ComposeProject.readYaml(deploy.resolve("grafana/provisioning/dashboards/dashboards.yaml"))
            .path("providers")
            .path(0);
    assertThat(provider.path("options").path("path").asText())
        .as("the provider reads the directory compose.yaml mounts the dashboards at")
        .isEqualTo("/etc/grafana/dashboards");
    assertThat(texts(services.path("grafana").path("volumes")))
        .contains("./grafana/dashboards:/etc/grafana/dashboards:ro");

    List<Path> files;
    try (Stream<Path> list = Files.list(deploy.resolve("grafana/dashboards"))) {
      files =
          list.filter(f -> f.toString().endsWith(".json")).sorted().collect(Collectors.toList());
    }
    assertThat(files.stream().map(f -> f.getFileName().toString()))
        .contains("rmm-delivery.json", "rmm-services.json");
    Set<String> dashboardUids = new TreeSet<>();
    for (Path file : files) {
      JsonNode dashboard = EventCodec.mapper().readTree(file.toFile());
      assertThat(dashboardUids.add(dashboard.path("uid").asText()))
          .as(file + ": a uid of its own")
          .isTrue();
      List<JsonNode> references = new ArrayList<>();
      collectDataSources(dashboard, references);
      assertThat(references).as(file + " refers to data sources").isNotEmpty();
      for (JsonNode reference : references) {
        assertThat(reference.path("uid").asText()).as(file + ": " + reference).isIn(uids);
      }
      for (JsonNode panel : dashboard.path("panels")) {
        if (!panel.path("type").asText().equals("row")) {
          assertThat(panel.path("targets")).as(file + ": " + panel.path("title")).isNotEmpty();
          panel
              .path("targets")
              .forEach(
                  t ->
                      assertThat(t.path("expr").asText())
                          .as(file + ": " + panel.path("title"))
                          .isNotBlank());
        }
      }
    }
    String delivery = Files.readString(deploy.resolve("grafana/dashboards/rmm-delivery.json"));
    assertThat(delivery).contains(DELIVERY_METRICS.toArray(String[]::new));
    JsonNode variables = EventCodec.mapper().readTree(delivery).path("templating").path("list");
    assertThat(variables.findValuesAsText("name")).contains("service");
    assertThat(Files.readString(deploy.resolve("grafana/dashboards/rmm-services.json")))
        .contains("http_server_requests_seconds", "jvm_memory_used_bytes");
  }

  @Test
  void dockerComposeAcceptsTheFile() throws Exception {
    List<String> composeCommand = composeCommand();
    Assumptions.assumeTrue(
        composeCommand != null,
        "neither `docker compose` nor `docker-compose` is installed here, so the compose file was"
            + " only checked against the Compose JSON schema (apt-get install docker-compose adds"
            + " the check; it needs no Docker engine)");
    List<String> config = new ArrayList<>(composeCommand);
    config.addAll(List.of("-f", ComposeProject.composeFile().toString(), "config", "-q"));

    Run accepted = run(config, REQUIRED_ENV);
    assertThat(accepted.exit()).as(String.join(" ", config) + ": " + accepted.output()).isZero();

    Map<String, String> noTokens = new java.util.HashMap<>(REQUIRED_ENV);
    noTokens.remove("RMM_API_TOKENS");
    Run refused = run(config, noTokens);
    assertThat(refused.exit()).as("without RMM_API_TOKENS").isNotZero();
    assertThat(refused.output()).contains("set RMM_API_TOKENS to the hashed API tokens");
    Map<String, String> noPassword = new java.util.HashMap<>(REQUIRED_ENV);
    noPassword.remove("POSTGRES_PASSWORD");
    Run weak = run(config, noPassword);
    assertThat(weak.exit()).as("without POSTGRES_PASSWORD").isNotZero();
    assertThat(weak.output()).contains("set POSTGRES_PASSWORD");
  }

  // ---------------------------------------------------------------------------------------------

  private static Map<String, Map<String, String>> wiring() {
    String kafka = "kafka:29092";
    String reactive = "postgresql://postgres:5432/postgres";
    String otel = "http://otel-collector:4317";
    Map<String, Map<String, String>> w = new LinkedHashMap<>();
    w.put(
        "release-api",
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka,
            "QUARKUS_DATASOURCE_REACTIVE_URL", reactive,
            "QUARKUS_DATASOURCE_USERNAME", "rmm_reader",
            "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", otel));
    w.put(
        "release-projector",
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka,
            "QUARKUS_DATASOURCE_REACTIVE_URL", reactive,
            "QUARKUS_DATASOURCE_JDBC_URL", "jdbc:" + reactive,
            "QUARKUS_DATASOURCE_USERNAME", "postgres",
            "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", otel));
    w.put(
        "telegram-gateway",
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka,
            "QUARKUS_DATASOURCE_REACTIVE_URL", reactive,
            "QUARKUS_DATASOURCE_USERNAME", "rmm_reader",
            "QUARKUS_REDIS_HOSTS", "redis://redis:6379",
            "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", otel,
            "RMM_GRAFANA_URL", "${RMM_GRAFANA_URL:-http://localhost:3000}",
            "TELEGRAM_BOT_TOKEN", "${TELEGRAM_BOT_TOKEN:-}"));
    w.put(
        "deploy-orchestrator",
        Map.of(
            "KAFKA_BOOTSTRAP_SERVERS", kafka,
            "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", otel,
            "GITHUB_TOKEN", "${GITHUB_TOKEN:-}"));
    return w;
  }

  /** The environment of a compose service in either form (map or list of NAME=value). */
  private static Map<String, String> environment(JsonNode service) {
    Map<String, String> env = new LinkedHashMap<>();
    JsonNode node = service.path("environment");
    if (node.isArray()) {
      node.forEach(
          e -> {
            String[] pair = e.asText().split("=", 2);
            env.put(pair[0], pair.length > 1 ? pair[1] : "");
          });
    } else {
      node.fields().forEachRemaining(e -> env.put(e.getKey(), e.getValue().asText()));
    }
    return env;
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  private static Map<String, JsonNode> dataSources() {
    Map<String, JsonNode> byUid = new LinkedHashMap<>();
    ComposeProject.readYaml(deploy.resolve("grafana/provisioning/datasources/datasources.yaml"))
        .path("datasources")
        .forEach(d -> byUid.put(d.path("uid").asText(), d));
    return byUid;
  }

  /** Every {@code "datasource": {...}} object anywhere in a dashboard. */
  private static void collectDataSources(JsonNode node, List<JsonNode> into) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getKey().equals("datasource") && field.getValue().isObject()) {
          into.add(field.getValue());
        }
        collectDataSources(field.getValue(), into);
      }
    } else if (node.isArray()) {
      node.forEach(child -> collectDataSources(child, into));
    }
  }

  /**
   * The variables each service's configuration documents: the root README's Configuration table
   * (its second column names the services: all, api, projector, gateway, orchestrator) and the
   * Configuration table of the service's own README.
   */
  private static Map<String, Set<String>> documentedVariables() throws IOException {
    Map<String, String> shortNames =
        Map.of(
            "api", "release-api",
            "projector", "release-projector",
            "gateway", "telegram-gateway",
            "orchestrator", "deploy-orchestrator");
    Map<String, Set<String>> documented = new LinkedHashMap<>();
    for (List<String> row : table(root.resolve("README.md"), "## Configuration")) {
      if (row.size() < 2) {
        continue;
      }
      for (String who : row.get(1).split(",")) {
        String key = who.trim();
        List<String> modules =
            key.equals("all")
                ? List.copyOf(ComposeProject.SERVICE_PORTS.keySet())
                : shortNames.containsKey(key) ? List.of(shortNames.get(key)) : List.of();
        for (String module : modules) {
          documented.computeIfAbsent(module, m -> new TreeSet<>()).addAll(backticked(row.get(0)));
        }
      }
    }
    for (String module : ComposeProject.SERVICE_PORTS.keySet()) {
      Path readme = root.resolve(module).resolve("README.md");
      if (Files.isRegularFile(readme)
          && Files.readAllLines(readme, StandardCharsets.UTF_8).contains("## Configuration")) {
        for (List<String> row : table(readme, "## Configuration")) {
          documented.computeIfAbsent(module, m -> new TreeSet<>()).addAll(backticked(row.get(0)));
        }
      }
    }
    return documented;
  }

  /** The body rows (cells trimmed) of the first Markdown table after a heading. */
  private static List<List<String>> table(Path markdown, String heading) throws IOException {
    List<String> lines = Files.readAllLines(markdown, StandardCharsets.UTF_8);
    int at = lines.indexOf(heading);
    assertThat(at).as(markdown + " has the section " + heading).isNotNegative();
    List<List<String>> rows = new ArrayList<>();
    boolean inTable = false;
    for (String line : lines.subList(at + 1, lines.size())) {
      if (line.startsWith("#")) {
        break;
      }
      if (line.startsWith("|")) {
        inTable = true;
        // a \| inside a cell is part of the text, not a column border
        String[] cells = line.substring(1).split("(?<!\\\\)\\|");
        List<String> row = new ArrayList<>();
        for (String cell : cells) {
          row.add(cell.trim());
        }
        rows.add(row);
      } else if (inTable) {
        break;
      }
    }
    assertThat(rows).as(markdown + ": the table under " + heading).hasSizeGreaterThan(2);
    return rows.subList(2, rows.size()); // without the header and the |---| line
  }

  private static Set<String> backticked(String cell) {
    Set<String> names = new TreeSet<>();
    Matcher m = BACKTICKED.matcher(cell);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** {@code docker compose} (Compose v2) or {@code docker-compose}, whichever works; else null. */
  private static List<String> composeCommand() throws Exception {
    for (List<String> candidate :
        List.of(List.of("docker", "compose"), List.of("docker-compose"))) {
      List<String> version = new ArrayList<>(candidate);
      version.add("version");
      try {
        if (run(version, Map.of()).exit() == 0) {
          return candidate;
        }
      } catch (IOException notInstalled) {
        // try the next one
      }
    }
    return null;
  }

  private record Run(int exit, String output) {}

  /** Runs a command with this environment less any RMM_API_TOKENS, plus {@code extra}. */
  private static Run run(List<String> command, Map<String, String> extra) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("RMM_API_TOKENS");
    builder.environment().putAll(extra);
    Process process = builder.start();
    process.getOutputStream().close();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(command + " did not finish within 60 s");
    }
    return new Run(process.exitValue(), output);
  }
}
