package dev.rmm.gateway.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.audit.EventChain;
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
import java.nio.charset.StandardCharsets;
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
 * Issue 15, point 4, in the alerts chat: a break-glass request's alert carries "✅ Confirm
 * break-glass", and a second admin confirms from there as from the card (a confirmation first, then
 * {@code release.confirm-break-glass.v1} with the request's version); the alert keeps its text and
 * loses the button. The admin who asked is refused in their language, and the button stays for
 * another admin. Real Kafka (the release log the gateway reads, the commands topic), Redis and
 * Postgres, the fake Bot API; release-api is stood in for by a responder that answers as the
 * decider would.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class BreakGlassAlertTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_800_001);
  // AccessTest's admin: the policy in force on this stack's broker may name only this admin
  private static final long ADMIN = 6605;
  private static final long OTHER_ADMIN = 6699;
  private static final String RESULTS = "rmm.release-command-results";
  private static final String CONFIRM = "✅ Confirm break-glass";

  @Inject Pool pg;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  private final List<ReleaseCommand> received = new CopyOnWriteArrayList<>();
  private final java.util.Map<String, String> services =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final java.util.Map<String, Long> requesters =
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
    botApi.chatMember(AccessTestStack.TEAM_CHAT, ADMIN, "member");
    startResponder();
  }

  @AfterEach
  void stopResponder() throws InterruptedException {
    commands.wakeup();
    responder.join(10_000);
  }

  @Test
  void givenABreakGlassRequest_whenASecondAdminConfirmsFromTheAlert_thenTheCommandIsSentOnce()
      throws Exception {
    String id = breakGlassRequested("bg-alert-second", OTHER_ADMIN, "Petr");
    SentMessage alert = awaitAlert("bg-alert-second");
    assertThat(alert.buttonTexts()).containsExactly(CONFIRM);

    press(ADMIN, "Olga", alert.messageId(), data(alert, CONFIRM));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> inAlertsChat("🚨 Confirm the break-glass of bg-alert-second") != null);
    SentMessage confirm = inAlertsChat("🚨 Confirm the break-glass of bg-alert-second");
    assertThat(confirm.text())
        .isEqualTo(
            "🚨 Confirm the break-glass of bg-alert-second v1.0.0 by Petr (“payments are down”)?"
                + " The release goes to production without the quorum.");
    assertThat(confirmationsOf(id)).as("nothing is sent before the confirmation").isEmpty();

    press(ADMIN, "Olga", confirm.messageId(), data(confirm, "✅ Yes, confirm"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                message(confirm.messageId())
                    .text()
                    .equals("🚨 Break-glass confirmed: bg-alert-second v1.0.0 goes to production"));
    assertThat(confirmationsOf(id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.telegramUserId()).isEqualTo(ADMIN);
              assertThat(c.seenVersion()).as("the request's version").isEqualTo(2L);
            });
    // the alert says what it said, without the button: the request is no longer waiting
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> message(alert.messageId()).buttonTexts().isEmpty());
    assertThat(message(alert.messageId()).text()).isEqualTo(alert.text());
  }

  @Test
  void givenABreakGlassRequest_whenTheAdminWhoAskedConfirmsFromTheAlert_thenRefusedAndItStays()
      throws Exception {
    String id = breakGlassRequested("bg-alert-same", ADMIN, "Olga");
    SentMessage alert = awaitAlert("bg-alert-same");

    press(ADMIN, "Olga", alert.messageId(), data(alert, CONFIRM));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> inAlertsChat("🚨 Confirm the break-glass of bg-alert-same") != null);
    SentMessage confirm = inAlertsChat("🚨 Confirm the break-glass of bg-alert-same");
    String yes = press(ADMIN, "Olga", confirm.messageId(), data(confirm, "✅ Yes, confirm"));

    await().atMost(Duration.ofSeconds(15)).until(() -> answer(yes) != null);
    assertThat(answer(yes))
        .isEqualTo(
            "⛔ Not allowed: only another admin may confirm a break-glass, not the one who asked"
                + " for it");
    assertThat(confirmationsOf(id)).hasSize(1);
    assertThat(message(alert.messageId()).buttonTexts())
        .as("another admin may still confirm from the alert")
        .containsExactly(CONFIRM);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * A release of {@code service} in manual testing whose approval {@code requester} forced: its row
   * in the read model (version 2, awaiting a second admin) and its events in the log (a status
   * change, then the request), which the gateway's log reader turns into the alert.
   */
  private String breakGlassRequested(String service, long requester, String requesterName)
      throws Exception {
    String id = UUID.randomUUID().toString();
    services.put(id, service);
    requesters.put(id, requester);
    Instant now = Instant.now();
    Instant until = now.plus(Duration.ofMinutes(15));
    String breakGlass =
        "{\"requests\": 1, \"confirmations\": 0, \"expiries\": 0, \"requested_by\": "
            + requester
            + ", \"requested_by_name\": \""
            + requesterName
            + "\", \"reason\": \"payments are down\", \"state\": \"awaiting\","
            + " \"requested_at\": \""
            + now
            + "\", \"expires_at\": \""
            + until
            + "\"}";
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, break_glass) VALUES ($1, $2, 'v1.0.0',"
                + " 'manual_testing', 'active', 'octocat', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/v1.0.0', 'acme/x',"
                + " 'abc1234', '[]'::jsonb, 1, jsonb_build_array($3::bigint, $4::bigint), 2, $5,"
                + " $5, $5, $6::text::jsonb)")
        .execute(
            Tuple.from(
                java.util.Arrays.asList(
                    id, service, ADMIN, OTHER_ADMIN, now.atOffset(ZoneOffset.UTC), breakGlass)))
        .await()
        .atMost(Duration.ofSeconds(10));
    Actor actor = Actor.telegram(requester, requesterName);
    try (KafkaProducer<String, byte[]> producer = producer()) {
      byte[] first =
          append(
              producer,
              event(
                  id,
                  1,
                  actor,
                  new ReleaseEvent.StatusChanged(
                      ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null)),
              null);
      append(
          producer,
          event(
              id,
              2,
              actor,
              new ReleaseEvent.BreakGlassRequested(
                  requester, requesterName, "payments are down", "v1.0.0", "abc1234", until, 1L)),
          first);
    }
    return id;
  }

  private static EventEnvelope event(String id, long sequence, Actor actor, ReleaseEvent data) {
    return new EventEnvelope(
        UUID.randomUUID().toString(), id, sequence, Instant.now(), actor, null, null, null, data);
  }

  /** Appends {@code e} linked to {@code previous} (as stored; null for the first event). */
  private static byte[] append(
      KafkaProducer<String, byte[]> producer, EventEnvelope e, byte[] previous) throws Exception {
    byte[] stored =
        EventCodec.encode(
            e.chainedTo(previous == null ? EventChain.GENESIS : EventChain.hash(previous)));
    producer.send(new ProducerRecord<>(AccessTestStack.EVENTS, e.releaseId(), stored)).get();
    return stored;
  }

  private KafkaProducer<String, byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  /** The break-glass request's alert of {@code service} in the alerts chat. */
  private static SentMessage awaitAlert(String service) {
    await().atMost(Duration.ofSeconds(30)).until(() -> requestAlert(service) != null);
    return requestAlert(service);
  }

  private static SentMessage requestAlert(String service) {
    return botApi.messages(AccessTestStack.ALERTS_CHAT).stream()
        .filter(m -> m.text().contains("forces the approval") && m.text().contains(service))
        .findFirst()
        .orElse(null);
  }

  /** The first message of the alerts chat starting with {@code prefix}. */
  private static SentMessage inAlertsChat(String prefix) {
    return botApi.messages(AccessTestStack.ALERTS_CHAT).stream()
        .filter(m -> m.text().startsWith(prefix))
        .findFirst()
        .orElse(null);
  }

  private static SentMessage message(int messageId) {
    return CHAT.message(AccessTestStack.ALERTS_CHAT, messageId);
  }

  /** Presses a button in the alerts chat; returns the callback query's id. */
  private static String press(long user, String name, int messageId, String data) {
    return CHAT.pressIn(AccessTestStack.ALERTS_CHAT, user, name, "en", messageId, data);
  }

  private static String answer(String callbackQueryId) {
    return CHAT.answer(callbackQueryId);
  }

  private static String data(SentMessage m, String buttonText) {
    for (JsonNode row : m.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        if (b.path("text").asText().equals(buttonText)) {
          return b.path("callback_data").asText();
        }
      }
    }
    throw new AssertionError("no button " + buttonText + " on " + m);
  }

  private List<ReleaseCommand.ConfirmBreakGlass> confirmationsOf(String releaseId) {
    return received.stream()
        .filter(c -> c instanceof ReleaseCommand.ConfirmBreakGlass)
        .map(c -> (ReleaseCommand.ConfirmBreakGlass) c)
        .filter(c -> c.releaseId().equals(releaseId))
        .toList();
  }

  /**
   * Answers the gateway's commands as release-api's decider would: a confirmation by the admin who
   * asked is refused, by another admin accepted (the quorum follows).
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
                            answer(e).toString().getBytes(StandardCharsets.UTF_8)));
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
    if (e.command() instanceof ReleaseCommand.ConfirmBreakGlass b
        && b.telegramUserId() != requesters.getOrDefault(b.releaseId(), -1L)) {
      n.put("outcome", "accepted");
      n.put("status", "manual_test_passed");
      n.put("version", 4);
      n.putArray("events")
          .add(ReleaseEvent.BreakGlassConfirmed.TYPE)
          .add(ReleaseEvent.ApprovalQuorumReached.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("status", "manual_testing");
      n.put("reason", "not_allowed");
      n.put("detail", "Olga forced this approval and may not confirm it; a second admin must");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
    return n;
  }
}
