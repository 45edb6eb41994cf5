package dev.rmm.e2e;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture's rules, checked on the compiled main classes of every module this one comes
 * after (it keeps their classes off its own classpath, so they are read from each module's {@code
 * target/classes}). deploy/bench is not among them: it is built after this module, and its
 * benchmarks open bare Kafka clients on purpose (BareProducer is the baseline the writer is
 * measured against).
 *
 * <p>"Every module reaches Kafka only through contracts' {@code kafka} package" is checked as the
 * two things that make it matter: only {@code dev.rmm.contracts.kafka} opens a connection to Kafka
 * ({@code KafkaClients} refuses a client without this process's KAFKA_SECURITY_* settings), and
 * outside the broker starters listed in {@link #BROKER_STARTERS} code sees only Kafka's client API.
 * The services still hold Kafka's own client types (records, partitions, the consumer a {@code
 * ConsumerLoop} hands them): their writers and projections work on positions and transactions that
 * a wrapper would only rename. The security settings themselves cannot be ruled on here (their
 * names are compile-time constants, inlined by javac), which is why KafkaClients checks them when a
 * client is opened.
 */
class ArchitectureTest {

  private static final List<String> SERVICES =
      List.of("dev.rmm.api", "dev.rmm.projector", "dev.rmm.gateway", "dev.rmm.orchestrator");

  /** contracts' adapters; every other package of contracts is its domain. */
  private static final String[] CONTRACTS_ADAPTERS = {
    "dev.rmm.contracts.kafka..", "dev.rmm.contracts.tracing..", "dev.rmm.contracts.export.."
  };

  /**
   * What contracts' domain may use besides the JDK: exactly what its two Jackson dependencies
   * (jackson-databind with its annotations and core, jackson-datatype-jsr310) hold; the domain's
   * codecs and records use all four.
   */
  private static final String[] JACKSON = {
    "com.fasterxml.jackson.annotation..",
    "com.fasterxml.jackson.core..",
    "com.fasterxml.jackson.databind..",
    "com.fasterxml.jackson.datatype.jsr310.."
  };

  /**
   * The only classes that may use Kafka beyond its client API, each because it starts a broker: the
   * local stack's (deploy/local/start, one broker or a cluster for the chaos tests) and the one in
   * the JVM of the @QuarkusTest classes.
   */
  static final Set<String> BROKER_STARTERS =
      Set.of(
          "dev.rmm.local.LocalKafka",
          "dev.rmm.local.LocalKafkaCluster",
          "dev.rmm.testsupport.KafkaTestResource");

  private static final DescribedPredicate<JavaCall<?>> OPENS_A_KAFKA_CLIENT =
      describe(
          "open a Kafka client (any constructor of Kafka*Producer/Kafka*Consumer, any"
              + " Admin/AdminClient.create)",
          call -> {
            JavaClass owner = call.getTargetOwner();
            if (!owner.getPackageName().startsWith("org.apache.kafka.clients")) {
              return false;
            }
            String name = owner.getSimpleName();
            if (call instanceof JavaConstructorCall) {
              return name.matches("Kafka\\w*(Producer|Consumer)");
            }
            // the factories, not the clients' own createTopics/createAcls
            return name.matches("(Kafka)?Admin(Client)?")
                && call.getName().matches("create|createInternal");
          });

  private static final DescribedPredicate<JavaClass> KAFKA_BEYOND_THE_CLIENT_API =
      resideInAnyPackage("kafka..", "org.apache.kafka..")
          .and(not(resideInAnyPackage("org.apache.kafka.clients..", "org.apache.kafka.common..")))
          .or(resideInAPackage("org.apache.kafka.common.test.."))
          .as("Kafka beyond its client API (the broker, its tools, its test kit)");

  static final ArchRule DOMAIN_USES_ONLY_JDK_AND_JACKSON =
      classes()
          .that()
          .resideInAPackage("dev.rmm.contracts..")
          .and()
          .resideOutsideOfPackages(CONTRACTS_ADAPTERS)
          .should()
          .onlyDependOnClassesThat(
              resideInAPackage("java..")
                  .or(resideInAnyPackage(JACKSON))
                  .or(
                      resideInAPackage("dev.rmm.contracts..")
                          .and(not(resideInAnyPackage(CONTRACTS_ADAPTERS))))
                  .as("the JDK, Jackson or contracts' domain"))
          .because(
              "decide and evolve are plain Java (CONVENTIONS.md 2 and 4); Kafka and OpenTelemetry"
                  + " stay in contracts' kafka and tracing adapters");

  static final ArchRule ONLY_CONTRACTS_KAFKA_OPENS_CLIENTS =
      noClasses()
          .that()
          .resideOutsideOfPackage("dev.rmm.contracts.kafka..")
          .should()
          .callCodeUnitWhere(OPENS_A_KAFKA_CLIENT)
          .because(
              "contracts' KafkaClients refuses a client without this process's KAFKA_SECURITY_*"
                  + " settings (the orchestrator's lease client had none)");

  static final ArchRule ONLY_BROKER_STARTERS_GO_BEYOND_THE_CLIENT_API =
      noClasses()
          .that(
              DescribedPredicate.<JavaClass>describe(
                  "are not among the broker starters " + BROKER_STARTERS,
                  c -> !BROKER_STARTERS.contains(c.getName().replaceFirst("\\$.*", ""))))
          .should()
          .dependOnClassesThat(KAFKA_BEYOND_THE_CLIENT_API)
          .because("a service talks to Kafka as a client, never to the broker's internals");

  /**
   * The gateway classes that read the read model: they use ReleaseReader or one of contracts' typed
   * views ({@code dev.rmm.contracts.readmodel}).
   */
  private static final DescribedPredicate<JavaClass> READ_THE_READ_MODEL =
      describe(
          "read the read model (ReleaseReader or a dev.rmm.contracts.readmodel view)",
          c ->
              c.getDirectDependenciesFromSelf().stream()
                  .map(d -> d.getTargetClass().getName())
                  .anyMatch(
                      n ->
                          n.equals("dev.rmm.gateway.releases.ReleaseReader")
                              || n.startsWith("dev.rmm.contracts.readmodel.")));

  static final ArchRule GATEWAY_READS_THE_READ_MODEL_TYPED =
      noClasses()
          .that()
          .resideInAPackage("dev.rmm.gateway..")
          .and(READ_THE_READ_MODEL)
          .should()
          .dependOnClassesThat(
              DescribedPredicate.<JavaClass>describe(
                  "are Jackson's JsonNode or its node types",
                  c ->
                      c.getName().equals("com.fasterxml.jackson.databind.JsonNode")
                          || c.getPackageName().equals("com.fasterxml.jackson.databind.node")))
          .because(
              "a module never reads another's data as JsonNode looked up by string keys"
                  + " (CONVENTIONS.md, typed views across boundaries; issue 17 point 1): the"
                  + " projector's rows are bound to contracts' ReleaseView");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    Path root = StackExtension.repositoryRoot();
    List<Path> dirs =
        List.of(
                "contracts",
                "deploy/infra",
                "deploy/test-support",
                "release-api",
                "release-projector",
                "telegram-gateway",
                "deploy-orchestrator")
            .stream()
            .map(m -> root.resolve(m).resolve("target/classes"))
            .toList();
    assertThat(dirs)
        .as("every module compiled before this one (./mvnw verify builds them in order)")
        .allMatch(Files::isDirectory);
    main = new ClassFileImporter().importPaths(dirs);
    assertThat(main.containPackage("dev.rmm.api.writer")).isTrue();
    assertThat(BROKER_STARTERS).allMatch(main::contain);
  }

  @Test
  void givenTheDomainOfContracts_thenItUsesNoFrameworkOnlyTheJdkAndJackson() {
    DOMAIN_USES_ONLY_JDK_AND_JACKSON.check(main);
  }

  @Test
  void givenEachService_thenNoOtherModuleImportsIt() {
    for (String service : SERVICES) {
      noClasses()
          .that()
          .resideOutsideOfPackage(service + "..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage(service + "..")
          .because("the services share contracts, never each other's code")
          .check(main);
    }
  }

  @Test
  void givenAnyModule_thenItOpensKafkaClientsOnlyThroughContractsKafka() {
    ONLY_CONTRACTS_KAFKA_OPENS_CLIENTS.check(main);
  }

  @Test
  void givenAnyModule_thenOnlyTheBrokerStartersUseKafkaBeyondItsClientApi() {
    ONLY_BROKER_STARTERS_GO_BEYOND_THE_CLIENT_API.check(main);
  }

  @Test
  void givenTheGatewaysReadersOfTheReadModel_thenTheyReadTypedViewsNotJsonNode() {
    GATEWAY_READS_THE_READ_MODEL_TYPED.check(main);
  }

  @Test
  void givenAClientOpenedWithAnyConstructorOrFactory_thenTheRuleCatchesIt() {
    // the first version of the rule named the Properties constructors only: these slipped through
    JavaClasses bypass = new ClassFileImporter().importClasses(BareClients.class);

    assertThat(ONLY_CONTRACTS_KAFKA_OPENS_CLIENTS.evaluate(bypass).getFailureReport().getDetails())
        .hasSize(2)
        .anyMatch(d -> d.contains("KafkaProducer.<init>(java.util.Map"))
        .anyMatch(d -> d.contains("Admin.create(java.util.Map)"));
  }

  /** Never run: what a module must not do, for the rule to find. */
  @SuppressWarnings("unused")
  static final class BareClients {
    static Object producer() {
      return new KafkaProducer<>(
          Map.<String, Object>of("bootstrap.servers", "localhost:9092"),
          new StringSerializer(),
          new StringSerializer());
    }

    static Object admin() {
      return Admin.create(Map.<String, Object>of("bootstrap.servers", "localhost:9092"));
    }
  }
}
