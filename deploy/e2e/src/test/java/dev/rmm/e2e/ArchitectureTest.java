package dev.rmm.e2e;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The architecture's rules, checked on the compiled main classes of every module (this module runs
 * after all of them are built, and keeps their classes off its own classpath, so they are read from
 * each module's {@code target/classes}).
 */
class ArchitectureTest {

  private static final List<String> SERVICES =
      List.of("dev.rmm.api", "dev.rmm.projector", "dev.rmm.gateway", "dev.rmm.orchestrator");

  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    Path root = StackExtension.repositoryRoot();
    List<Path> dirs =
        List.of(
                "contracts",
                "deploy/infra",
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
  }

  @Test
  void givenTheDomainOfContracts_thenItUsesNoFrameworkOnlyTheJdkAndJackson() {
    classes()
        .that()
        .resideInAnyPackage(
            "dev.rmm.contracts",
            "dev.rmm.contracts.log..",
            "dev.rmm.contracts.audit..",
            "dev.rmm.contracts.ops..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "java..",
            "com.fasterxml.jackson..",
            "dev.rmm.contracts",
            "dev.rmm.contracts.log..",
            "dev.rmm.contracts.audit..",
            "dev.rmm.contracts.ops..")
        .because("decide and evolve are plain Java (CONVENTIONS.md 2 and 4)")
        .check(main);
  }

  @Test
  void givenTheFourServices_thenNoneImportsAnother() {
    for (String service : SERVICES) {
      String[] others =
          SERVICES.stream()
              .filter(s -> !s.equals(service))
              .map(s -> s + "..")
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage(service + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .because("the services share contracts, never each other's code")
          .check(main);
    }
  }

  @Test
  void givenAnyModule_thenItOpensKafkaClientsOnlyThroughContractsKafka() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.rmm.contracts.kafka..")
        .should()
        .callConstructor(KafkaProducer.class, java.util.Properties.class)
        .orShould()
        .callConstructor(KafkaConsumer.class, java.util.Properties.class)
        .orShould()
        .callMethod(Admin.class, "create", java.util.Properties.class)
        .orShould()
        .callMethod(Admin.class, "create", java.util.Map.class)
        .because(
            "contracts' KafkaClients refuses a client without this process's KAFKA_SECURITY_*"
                + " settings (the orchestrator's lease client had none)")
        .check(main);
  }
}
