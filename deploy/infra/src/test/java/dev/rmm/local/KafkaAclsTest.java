package dev.rmm.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rmm.contracts.kafka.AclLayout;
import dev.rmm.contracts.kafka.AclLayout.Service;
import dev.rmm.contracts.kafka.KafkaSecurity;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.Producers;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.network.ListenerName;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka is not an open control plane: on a broker with SCRAM authentication and the standard
 * authorizer, each service's principal holds exactly {@link AclLayout}'s grants (applied by {@link
 * KafkaAcls}), and the clients authenticate through {@link KafkaSecurity}, as every rmm client
 * does. The gateway's principal can send commands but cannot append an event or join the writers'
 * group (which would hand it partitions to write).
 */
class KafkaAclsTest {

  private static final AclLayout.Names NAMES = AclLayout.Names.defaults();
  private static final Map<Service, String> USERS =
      Map.of(
          Service.RELEASE_API, "rmm-api",
          Service.RELEASE_PROJECTOR, "rmm-projector",
          Service.TELEGRAM_GATEWAY, "rmm-gateway",
          Service.DEPLOY_ORCHESTRATOR, "rmm-orchestrator");

  private static KafkaClusterTestKit cluster;

  @BeforeAll
  static void start() throws Exception {
    cluster =
        new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder()
                    .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBrokerListenerName(new ListenerName("EXTERNAL"))
                    .setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT)
                    .build())
            .setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512")
            .setConfigProp("sasl.mechanism.inter.broker.protocol", "PLAIN")
            .setConfigProp(
                "listener.name.external.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\";")
            .setConfigProp(
                "listener.name.external.scram-sha-512.sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required;")
            .setConfigProp(
                "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
            .setConfigProp("super.users", "User:admin;User:ANONYMOUS")
            .setConfigProp("offsets.topic.replication.factor", "1")
            .setConfigProp("offsets.topic.num.partitions", "1")
            .setConfigProp("group.initial.rebalance.delay.ms", "0")
            .build();
    cluster.format();
    cluster.startup();
    cluster.waitForReadyBrokers();
    try (Admin admin = Admin.create(admin())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(NAMES.events(), 1, (short) 1),
                  new NewTopic(NAMES.commands(), 1, (short) 1),
                  new NewTopic(NAMES.gatewayCommands(), 1, (short) 1),
                  new NewTopic(NAMES.orchestratorCommands(), 1, (short) 1),
                  new NewTopic(NAMES.policies(), 1, (short) 1)))
          .all()
          .get();
      for (String user : USERS.values()) {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        user,
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 4096),
                        user + "-secret")))
            .all()
            .get();
      }
      Map<Service, String> principals =
          Map.of(
              Service.RELEASE_API, "User:rmm-api",
              Service.RELEASE_PROJECTOR, "User:rmm-projector",
              Service.TELEGRAM_GATEWAY, "User:rmm-gateway",
              Service.DEPLOY_ORCHESTRATOR, "User:rmm-orchestrator");
      KafkaAcls.apply(admin, KafkaAcls.bindings(principals));
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void givenTheGatewaysPrincipal_whenItSendsACommand_thenItIsWritten() throws Exception {
    try (KafkaProducer<String, byte[]> gateway = producer(Service.TELEGRAM_GATEWAY, null)) {
      assertThat(send(gateway, NAMES.gatewayCommands()).offset()).isNotNegative();
    }
  }

  @Test
  void givenTheGatewaysPrincipal_whenItAppendsAnEvent_thenTheBrokerRefusesIt() {
    try (KafkaProducer<String, byte[]> gateway = producer(Service.TELEGRAM_GATEWAY, null)) {
      assertThatThrownBy(() -> send(gateway, NAMES.events()))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void givenTheOrchestratorsPrincipal_whenItAppendsAnEvent_thenTheBrokerRefusesIt() {
    try (KafkaProducer<String, byte[]> orchestrator = producer(Service.DEPLOY_ORCHESTRATOR, null)) {
      assertThatThrownBy(() -> send(orchestrator, NAMES.events()))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void givenTheGatewaysPrincipal_whenItWritesTheOrchestratorsOrTheForwardedCommands_thenRefused() {
    try (KafkaProducer<String, byte[]> gateway = producer(Service.TELEGRAM_GATEWAY, null)) {
      for (String topic : List.of(NAMES.orchestratorCommands(), NAMES.commands())) {
        assertThatThrownBy(() -> send(gateway, topic))
            .as(topic)
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
  }

  @Test
  void givenReleaseApisPrincipal_whenItAppendsAnEvent_thenItIsWritten() throws Exception {
    try (KafkaProducer<String, byte[]> api = producer(Service.RELEASE_API, null)) {
      assertThat(send(api, NAMES.events()).offset()).isNotNegative();
    }
  }

  @Test
  void givenThePolicyTopic_whenAnotherPrincipalRecordsAPolicy_thenRefused_andReleaseApiMay()
      throws Exception {
    for (Service other :
        List.of(Service.TELEGRAM_GATEWAY, Service.DEPLOY_ORCHESTRATOR, Service.RELEASE_PROJECTOR)) {
      try (KafkaProducer<String, byte[]> p = producer(other, null)) {
        assertThatThrownBy(() -> send(p, NAMES.policies()))
            .as("%s writes %s", other, NAMES.policies())
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(TopicAuthorizationException.class);
      }
    }
    try (KafkaProducer<String, byte[]> api = producer(Service.RELEASE_API, null)) {
      assertThat(send(api, NAMES.policies()).offset()).isNotNegative();
    }
  }

  @Test
  void givenTheGatewaysPrincipal_whenItJoinsTheWritersGroup_thenTheBrokerRefusesIt() {
    Properties p =
        LogConsumers.properties(cluster.bootstrapServers(), security("rmm-gateway", null));
    p.put(ConsumerConfig.GROUP_ID_CONFIG, NAMES.writersGroup());
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(NAMES.gatewayCommands()));
      assertThatThrownBy(() -> c.poll(Duration.ofSeconds(10)))
          .isInstanceOf(GroupAuthorizationException.class);
    }
  }

  @Test
  void givenAWrongPassword_whenAServiceConnects_thenAuthenticationFails() {
    try (KafkaProducer<String, byte[]> api = producer(Service.RELEASE_API, "guessed")) {
      assertThatThrownBy(() -> send(api, NAMES.events()))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(SaslAuthenticationException.class);
    }
  }

  @Test
  void givenThePrincipals_whenPrintedForReview_thenEachGrantIsAKafkaAclsCommand() {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    KafkaAcls.print(
        KafkaAcls.bindings(Map.of(Service.TELEGRAM_GATEWAY, "User:rmm-gateway")),
        "kafka:9093",
        new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));

    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8))
        .contains(
            "kafka-acls.sh --bootstrap-server kafka:9093 --command-config admin.properties --add"
                + " --allow-principal User:rmm-gateway --operation WRITE --topic"
                + " rmm.gateway-commands")
        .doesNotContain("--operation WRITE --topic rmm.release-events");
  }

  private static KafkaProducer<String, byte[]> producer(Service service, String password) {
    String user = USERS.get(service);
    return new KafkaProducer<>(
        Producers.properties(cluster.bootstrapServers(), security(user, password)));
  }

  private static KafkaSecurity security(String user, String password) {
    return KafkaSecurity.of(
        Map.of(
            "KAFKA_SECURITY_PROTOCOL",
            "SASL_PLAINTEXT",
            "KAFKA_SASL_MECHANISM",
            "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME",
            user,
            "KAFKA_SASL_PASSWORD",
            password == null ? user + "-secret" : password));
  }

  private static org.apache.kafka.clients.producer.RecordMetadata send(
      KafkaProducer<String, byte[]> producer, String topic) throws Exception {
    return producer
        .send(new ProducerRecord<>(topic, "r-1", new byte[] {'{', '}'}))
        .get(15, TimeUnit.SECONDS);
  }

  private static Properties admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", cluster.bootstrapServers());
    return KafkaSecurity.of(
            Map.of(
                "KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT",
                "KAFKA_SASL_MECHANISM", "PLAIN",
                "KAFKA_SASL_USERNAME", "admin",
                "KAFKA_SASL_PASSWORD", "admin-secret"))
        .applyTo(p);
  }
}
