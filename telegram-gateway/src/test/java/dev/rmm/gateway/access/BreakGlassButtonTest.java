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
 * Issue 15, point 4: break-glass from the card. An admin's "🚨 Break-glass" on a release in manual
 * testing asks for a reason, then a confirmation, then sends {@code release.force-approve.v1}; the
 * card then shows the request loudly and offers "✅ Confirm break-glass", which release-api accepts
 * only from another admin. Anyone who is no admin is refused in their own language. Real Kafka,
 * Redis and Postgres (the read model as release-projector's migrations make it), the fake Bot API;
 * release-api is stood in for by a responder that answers the commands topic as the decider would.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class BreakGlassButtonTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 7_500_001);
  // AccessTest's approver and admin (see RetryDispatchButtonTest): the policy in force on this
  // stack's broker names these two, so a second admin cannot be shown here; the decider's
  // two-admin rule is release-api's BreakGlassTest and the orchestrator's BreakGlassDispatchTest
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
  void givenAReleaseInManualTesting_whenTheAdminForcesItWithAReason_thenTheCommandIsSentOnce()
      throws Exception {
    String id = inManualTesting("bg-admin", null);
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.buttonTexts())
        .contains("🚨 Break-glass")
        .doesNotContain("✅ Confirm break-glass");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("🚨 Break-glass"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                CHAT.confirmation(
                        ADMIN, "✍️ Olga, reply to this message with the reason for forcing")
                    != null);
    botApi.push(
        botApi.message(CHAT.nextUpdateId(), ADMIN, "Olga", "en", "payments are down; hotfix"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> CHAT.confirmation(ADMIN, "🚨 Force the approval of bg-admin") != null);
    SentMessage confirm = CHAT.confirmation(ADMIN, "🚨 Force the approval of bg-admin");
    assertThat(confirm.text())
        .isEqualTo(
            "🚨 Force the approval of bg-admin v1.0.0 with the reason “payments are down; hotfix”?"
                + " Another admin must confirm it within 15 minutes.");
    assertThat(forcesBy(ADMIN, id)).as("nothing is sent before the confirmation").isEmpty();

    CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("🚨 Yes, force it"));

    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                CHAT.message(ADMIN, confirm.messageId())
                    .text()
                    .equals(
                        "🚨 Break-glass for bg-admin v1.0.0 requested: another admin must confirm"
                            + " it within 15 minutes"));
    assertThat(forcesBy(ADMIN, id))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.reason()).isEqualTo("payments are down; hotfix");
              assertThat(c.seenVersion()).isEqualTo(5L);
            });
  }

  @Test
  void givenAnApproverWhoIsNoAdmin_whenPressingBreakGlassTwice_thenRefusedInRussian()
      throws Exception {
    String id = inManualTesting("bg-approver", null);
    SentMessage card = CHAT.cardFor(APPROVER, "Анна", "ru", id);
    String force = card.button("🚨 Форсировать (break-glass)");

    String first = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), force);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(first) != null);
    String second = CHAT.press(APPROVER, "Анна", "ru", card.messageId(), force);
    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(second) != null);

    String refusal = "⛔ Нет прав: форсировать одобрение могут только администраторы";
    assertThat(CHAT.answer(first)).isEqualTo(refusal);
    assertThat(CHAT.answer(second)).isEqualTo(refusal);
    assertThat(forcesBy(APPROVER, id)).as("the first refusal is recorded, once").hasSize(1);
  }

  @Test
  void givenABreakGlassAwaitingConfirmation_whenTheAdminWhoAskedConfirms_thenRefused()
      throws Exception {
    String id = inManualTesting("bg-same-admin", Instant.now().plus(Duration.ofMinutes(10)));
    SentMessage card = CHAT.cardFor(ADMIN, "Olga", "en", id);
    assertThat(card.text())
        .contains("🚨 BREAK-GLASS by Olga: “payments are down” — awaiting a second admin (until ");
    assertThat(card.buttonTexts())
        .contains("✅ Confirm break-glass")
        .doesNotContain("🚨 Break-glass");

    CHAT.press(ADMIN, "Olga", "en", card.messageId(), card.button("✅ Confirm break-glass"));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () -> CHAT.confirmation(ADMIN, "🚨 Confirm the break-glass of bg-same-admin") != null);
    SentMessage confirm = CHAT.confirmation(ADMIN, "🚨 Confirm the break-glass of bg-same-admin");
    String yes =
        CHAT.press(ADMIN, "Olga", "en", confirm.messageId(), confirm.button("✅ Yes, confirm"));

    await().atMost(Duration.ofSeconds(15)).until(() -> CHAT.answer(yes) != null);
    assertThat(CHAT.answer(yes))
        .isEqualTo(
            "⛔ Not allowed: only another admin may confirm a break-glass, not the one who asked"
                + " for it");
    assertThat(received)
        .filteredOn(c -> c instanceof ReleaseCommand.ConfirmBreakGlass && c.releaseId().equals(id))
        .hasSize(1);
  }

  // ---------------------------------------------------------------- helpers

  /**
   * Answers the gateway's commands as release-api's decider would: {@link #ADMIN}'s force is
   * accepted; a confirmation by the admin who asked, and anything by someone else, refused.
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
    n.put("status", "manual_testing");
    if (e.command() instanceof ReleaseCommand.ForceApprove f && f.telegramUserId() == ADMIN) {
      n.put("outcome", "accepted");
      n.putArray("events").add(ReleaseEvent.BreakGlassRequested.TYPE);
    } else if (e.command() instanceof ReleaseCommand.ConfirmBreakGlass) {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "Olga forced this approval and may not confirm it; a second admin must");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    } else {
      n.put("outcome", "refused");
      n.put("reason", "not_allowed");
      n.put("detail", "user is not an admin; only admins may force an approval (break-glass)");
      n.putArray("events").add(ReleaseEvent.ActionRefused.TYPE);
    }
    return n;
  }

  private List<ReleaseCommand.ForceApprove> forcesBy(long user, String releaseId) {
    return received.stream()
        .filter(c -> c instanceof ReleaseCommand.ForceApprove)
        .map(c -> (ReleaseCommand.ForceApprove) c)
        .filter(c -> c.releaseId().equals(releaseId) && c.telegramUserId() == user)
        .toList();
  }

  /**
   * A release of {@code service} in manual testing in the read model; {@link #APPROVER} approves
   * it, {@link #ADMIN} administers it. With {@code awaitingUntil}, Olga ({@link #ADMIN}) forced its
   * approval and it awaits a second admin until then.
   */
  private String inManualTesting(String service, Instant awaitingUntil) {
    String id = UUID.randomUUID().toString();
    services.put(id, service);
    Instant now = Instant.now();
    String breakGlass =
        awaitingUntil == null
            ? null
            : "{\"requests\": 1, \"confirmations\": 0, \"expiries\": 0, \"requested_by\": "
                + ADMIN
                + ", \"requested_by_name\": \"Olga\", \"reason\": \"payments are down\","
                + " \"state\": \"awaiting\", \"requested_at\": \""
                + now
                + "\", \"expires_at\": \""
                + awaitingUntil
                + "\"}";
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at, break_glass) VALUES ($1, $2, 'v1.0.0',"
                + " 'manual_testing', 'active', 'octocat', '1',"
                + " 'https://github.com/acme/x/actions/runs/1', 'refs/tags/v1.0.0', 'acme/x',"
                + " 'abc1234', jsonb_build_array(jsonb_build_object('id', $3::bigint, 'name',"
                + " 'Ann')), 1, jsonb_build_array($4::bigint), 5, $5, $5, $5, $6::text::jsonb)")
        .execute(
            Tuple.from(
                java.util.Arrays.asList(
                    id, service, APPROVER, ADMIN, now.atOffset(ZoneOffset.UTC), breakGlass)))
        .await()
        .atMost(Duration.ofSeconds(10));
    return id;
  }
}
