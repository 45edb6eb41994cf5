package dev.rmm.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.testsupport.FakeBotApi;
import dev.rmm.testsupport.FakeBotApi.SentMessage;
import dev.rmm.testsupport.MigrationOrder;
import dev.rmm.testsupport.PostgresTestResource;
import dev.rmm.testsupport.RedisTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, point 6: "🔁 Retry dispatch" on the card of a release whose production dispatch failed.
 * An admin's press asks for a confirmation, then sends {@code release.retry-dispatch.v1}; anyone
 * else is refused in their own language, the first refusal going to release-api to be recorded.
 * Real Kafka, Redis and Postgres (the read model as release-projector's migrations make it), the
 * fake Bot API; release-api is stood in for by a responder that answers the commands topic as the
 * decider would (admins only).
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class RetryDispatchButtonTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_000_001);
  // AccessTest's approver and admin: both classes run on one AccessTestStack (one broker), where
  // AccessTest puts a policy in force whose default names these two, so the releases' recorded
  // admins would not count after it (a retry by anyone else was refused locally)
  private static final long APPROVER = 6604;
  private static final long ADMIN = 6605;
  private static final String RESULTS = "rmm.release-command-results";

  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private final List<ReleaseCommand> received = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, String> services =
      new java.util.concurrent.ConcurrentHashMap<>();
  private Thread responder;
  private KafkaConsumer<String, byte[]> commands;

  @BeforeEach
  void setUp() throws IOException {
    boolean exists =
        pg.query("SELECT to_regclass('read_model.releases') IS NOT NULL AS e")
            .execute()
            .await()
            .atMost(Duration.ofSeconds(10))
            .iterator()
            .next()
            .getBoolean("e");
    if (!exists) {
      StringBuilder sql =
          new StringBuilder("CREATE SCHEMA read_model; SET search_path TO read_model;");
      try (Stream<Path> files =
          Files.list(Path.of("../release-projector/src/main/resources/db/readmodel"))) {
        for (Path f : files.sorted(MigrationOrder.BY_VERSION).toList()) {
          sql.append(Files.readString(f)).append(';');
        }
      }
      sql.append("RESET search_path;");
      pg.query(sql.toString()).execute().await().atMost(Duration.ofSeconds(30));
    }
    // both are in the team chat, so they see the releases; only ADMIN administers them
    botApi.chatMember(AccessTestStack.TEAM_CHAT, APPROVER, "member");
    botApi.chatMember(AccessTestStack.TEAM_CHAT, ADMIN, "member");
    startResponder();
  }

  @AfterEach
  void stopResponder() throws InterruptedException {
    commands.wakeup();
    responder.join(10_000);
  }

  @Test
  void givenAFailedDispatch_whenTheAdminPressesRetryAndConfirms_thenTheCommandIsSentOnce()
      throws Exception {
    String id = failedDispatch("retry-admin");
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.buttonTexts()).contains("🔁 Retry dispatch");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("🔁 Retry dispatch"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> CHAT.confirmation(ADMIN, "Retry the production dispatch of retry-admin") != null);
    SentMessage confirm = CHAT.confirmation(ADMIN, "Retry the production dispatch of retry-admin");
    assertThat(confirm.text())
        .isEqualTo(
            "Retry the production dispatch of retry-admin v1.0.0? GitHub is checked first for a"
                + " run of the failed attempt: there will not be two deploys.");
    assertThat(retriesBy(ADMIN, id)).as("nothing is sent before the confirmation").isEmpty();

    CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("🔁 Yes, retry"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                CHAT.message(ADMIN, confirm.messageId())
                    .text()
                    .equals(
                        "🔁 A retry of the production dispatch of retry-admin v1.0.0 is requested:"
                            + " the orchestrator will run it"));
    assertThat(retriesBy(ADMIN, id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.telegramUserId()).isEqualTo(ADMIN);
              assertThat(c.seenVersion()).isEqualTo(8L);
            });
  }

  @Test
  void givenAFailedDispatch_whenAnApproverWhoIsNoAdminPressesRetryTwice_thenRefusedInRussian()
      throws Exception {
    String id = failedDispatch("retry-approver");
    SentMessage card = CHAT.cardFor(APPROVER, "Анна", "ru", id);
    String retry = card.button("🔁 Повторить запуск");

    String first = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), retry);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(first) != null);
    String second = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), retry);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(second) != null);

    String refusal = "⛔ Нет прав: повторить запуск выкладки могут только администраторы";
    assertThat(CHAT.answer(first)).isEqualTo(refusal);
    assertThat(CHAT.answer(second)).isEqualTo(refusal);
    assertThat(retriesBy(APPROVER, id)).as("the first refusal is recorded, once").hasSize(1);
    assertThat(botApi.messages(APPROVER))
        .noneMatch(m -> m.text().startsWith("Повторить запуск выкладки"));
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Answers the gateway's commands as release-api's decider would: a retry by {@link #ADMIN} is
   * accepted, any other refused (not_allowed, with the decider's English detail).
   */
  private void startResponder() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    commands = new KafkaConsumer<>(c);
    TopicPartition tp = new TopicPartition(AccessTestStack.COMMANDS, 0);
    commands.assign(List.of(tp));
    commands.seekToEnd(List.of(tp));
    commands.position(tp);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    responder =
        new Thread(
            () -> {
              try (KafkaProducer<String, byte[]> results = new KafkaProducer<>(p)) {
                while (true) {
                  for (ConsumerRecord<String, byte[]> r : commands.poll(Duration.ofMillis(50))) {
                    CommandCodec.Envelope e = CommandCodec.decode(r.value());
                    received.add(e.command());
                    results.send(
                        new ProducerRecord<>(
                            RESULTS,
                            e.commandId(),
                            answer(e)
                                .toString()
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                  }
                }
              } catch (WakeupException e) {
                // the test is over
              } finally {
                commands.close();
              }
            },
            "release-api-stand-in");
    responder.setDaemon(true);
    responder.start();
  }

  private ObjectNode answer(CommandCodec.Envelope e) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", e.commandId());
    n.put("release_id", e.command().releaseId());
    ObjectNode release = n.putObject("release");
    release.put("service_name", services.getOrDefault(e.command().releaseId(), "?"));
    release.put("release_tag", "v1.0.0");
    if (e.command() instanceof ReleaseCommand.RetryDispatch r && r.telegramUserId() == ADMIN) {
      n.put("outcome", "accepted");
      n.put("status", "manual_test_passed");
      n.putArray("events").add(ReleaseEvent.DispatchRetryRequested.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "user is not an admin; only admins may retry a production dispatch");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
    return n;
  }

  private List<ReleaseCommand.RetryDispatch> retriesBy(long user, String releaseId) {
    return received.stream()
        .filter(c -> c instanceof ReleaseCommand.RetryDispatch)
        .map(c -> (ReleaseCommand.RetryDispatch) c)
        .filter(c -> c.releaseId().equals(releaseId) && c.telegramUserId() == user)
        .toList();
  }

  /**
   * A release of {@code service} in the read model whose approval passed and whose production
   * dispatch failed; {@link #APPROVER} approves it, {@link #ADMIN} administers it.
   */
  private String failedDispatch(String service) {
    String id = UUID.randomUUID().toString();
    services.put(id, service);
    Instant now = Instant.now();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, dispatch) VALUES ($1, $2, 'v1.0.0',"
                + " 'manual_test_passed', 'active', 'octocat', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/v1.0.0', 'acme/x',"
                + " 'abc1234', jsonb_build_array(jsonb_build_object('id', $3::bigint, 'name',"
                + " 'Ann')), 1, jsonb_build_array($4::bigint), 8, $5, $5, $5, jsonb_build_object("
                + "'id', 'd-1', 'repository', 'acme/x', 'workflow', 'deploy.yml', 'ref', 'main',"
                + " 'outcome', 'failed', 'http_status', 401, 'detail', 'Bad credentials'))")
        .execute(Tuple.from(List.of(id, service, APPROVER, ADMIN, now.atOffset(ZoneOffset.UTC))))
        .await()
        .atMost(Duration.ofSeconds(10));
    return id;
  }
}
