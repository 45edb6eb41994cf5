package dev.rmm.gateway.access;

import static dev.rmm.gateway.access.AccessTestStack.ADMIN;
import static dev.rmm.gateway.access.AccessTestStack.APPROVER;
import static dev.rmm.gateway.access.AccessTestStack.TEAM_CHAT;
import static dev.rmm.gateway.access.AccessTestStack.VIEWER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who sees releases in Telegram and what a refused press costs, with the real parts: the fake Bot
 * API (getChatMember on the team chat), Redis, the read model in Postgres and the commands topic in
 * Kafka. A command the gateway sends is one event release-api appends, so commands are counted.
 */
@QuarkusTest
@WithTestResource(RedisTestResource.class)
@WithTestResource(PostgresTestResource.class)
@WithTestResource(AccessTestStack.class)
class AccessTest {

  /** The Bot API this class's application talks to (its test resource's own). */
  @FakeBotApi.Injected static FakeBotApi botApi;

  private static final PrivateChat CHAT = new PrivateChat(() -> botApi, 1);
  private static final String REFUSAL =
      "🔒 Sorry, this bot shows releases to the release team only. If you need access, please ask"
          + " an rmm admin.";
  private static final long STRANGER = 6601;
  private static final long MEMBER = 6602;
  private static final long NEW_APPROVER = 6606;
  private static final String POLICIES = "rmm.release-policies";
  private static boolean schema;
  private static boolean policyAppended;

  @Inject Pool pg;
  @Inject PoliciesInForce policies;

  @ConfigProperty(name = "kafka.bootstrap.servers")
  String bootstrap;

  @BeforeEach
  void readModel() throws IOException {
    if (schema) {
      return;
    }
    // the read model as release-projector's migrations make it
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
    schema = true;
  }

  @Test
  void givenAStranger_whenTheyStartTwiceAndAskForTheMenu_thenOnePoliteRefusalAndNothingElse() {
    botApi.push(start(STRANGER, "Eve"));
    botApi.push(start(STRANGER, "Eve"));
    botApi.push(botApi.message(CHAT.nextUpdateId(), STRANGER, "Eve", "en", "/lang en"));

    await().atMost(Duration.ofSeconds(10)).until(() -> botApi.messages(STRANGER).size() == 1);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> botApi.messages(STRANGER).size() == 1);
    SentMessage only = botApi.messages(STRANGER).get(0);
    assertThat(only.text()).isEqualTo(REFUSAL);
    assertThat(only.replyMarkup()).as("no buttons, no release data").isNull();
    // Telegram was asked whether Eve is in the team chat: at most once per update, as the three
    // updates may be handled at once before the first answer is remembered
    assertThat(botApi.calls("getChatMember"))
        .map(FakeBotApi::json)
        .filteredOn(c -> c.path("user_id").asLong() == STRANGER)
        .hasSizeBetween(1, 3)
        .allMatch(c -> c.path("chat_id").asLong() == TEAM_CHAT);
  }

  @Test
  void givenATeamChatMember_whenTheyOpenTheActiveList_thenTheySeeTheCardsWithSignedButtons()
      throws Exception {
    String id = release("members-see", "v1.0.0");
    botApi.chatMember(TEAM_CHAT, MEMBER, "member");
    botApi.restrictedMember(TEAM_CHAT, 6607, true);
    botApi.restrictedMember(TEAM_CHAT, 6608, false);

    SentMessage menu = startAndAwaitMenu(MEMBER, "Max");
    for (JsonNode row : menu.replyMarkup().path("inline_keyboard")) {
      for (JsonNode b : row) {
        String data = b.path("callback_data").asText();
        assertThat(data).as("signed").matches("[a-z:]+:[A-Za-z0-9_-]{11}");
        assertThat(data.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
      }
    }
    openActive(MEMBER, "Max", menu.messageId(), "members-see");
    pageTo(MEMBER, menu.messageId(), id);
    assertThat(CHAT.message(MEMBER, menu.messageId()).text()).contains("members-see");

    // restricted, but still in the team chat: a member; restricted after leaving it: not
    startAndAwaitMenu(6607, "Rita");
    botApi.push(start(6608, "Gone"));
    await().atMost(Duration.ofSeconds(10)).until(() -> botApi.messages(6608).size() == 1);
    assertThat(botApi.messages(6608).get(0).text()).isEqualTo(REFUSAL);
  }

  @Test
  void givenAnApproverOutsideTheTeamChat_whenStart_thenTheyGetTheMenu() {
    release("approvers-see", "v1.0.0");
    startAndAwaitMenu(APPROVER, "Ann");
    startAndAwaitMenu(ADMIN, "Adam");
  }

  @Test
  void givenAViewer_whenTheyPressApproveTwentyTimes_thenTheyAreRefusedAndOneCommandIsSent()
      throws Exception {
    String id = release("viewer-press", "v2.0.0");
    SentMessage menu = startAndAwaitMenu(VIEWER, "Vic");
    openActive(VIEWER, "Vic", menu.messageId(), "viewer-press");
    pageTo(VIEWER, menu.messageId(), id);
    SentMessage card = CHAT.message(VIEWER, menu.messageId());
    String approve = card.button("✅ Approve");

    List<String> presses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      presses.add(press(VIEWER, "Vic", VIEWER, card.messageId(), approve));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> presses.stream().allMatch(p -> CHAT.answer(p) != null));
    assertThat(presses.stream().map(CHAT::answer))
        .filteredOn(t -> t.equals("⛔ Not allowed: only the release's approvers may approve it"))
        .hasSize(19);
    assertThat(commandsBy(VIEWER, id)).as("one refusal recorded, not twenty").hasSize(1);
    assertThat(commandsBy(VIEWER, id).get(0)).isInstanceOf(ReleaseCommand.Approve.class);
    assertThat(botApi.calls("sendMessage"))
        .map(FakeBotApi::json)
        .noneMatch(m -> m.path("text").asText().startsWith("Approve viewer-press"));
  }

  @Test
  void givenAStranger_whenTheyPressTheLiveCardsButtonsTwentyTimes_thenRefusedAndOneCommand()
      throws Exception {
    String id = release("stranger-press", "v3.0.0");
    SentMessage card = liveCard(id, "stranger-press");
    String approve = card.button("✅ Approve");
    String refresh = card.button("🔄 Refresh");
    int editsBefore = editsOf(TEAM_CHAT, card.messageId());

    List<String> presses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      presses.add(press(6609, "Mallory", TEAM_CHAT, card.messageId(), approve));
    }
    presses.add(press(6609, "Mallory", TEAM_CHAT, card.messageId(), refresh));

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> presses.stream().allMatch(p -> CHAT.answer(p) != null));
    assertThat(presses.stream().map(CHAT::answer)).allMatch(REFUSAL::equals);
    await().atMost(Duration.ofSeconds(10)).until(() -> commandsBy(6609, id).size() == 1);
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> commandsBy(6609, id).size() == 1);
    assertThat(CHAT.message(TEAM_CHAT, card.messageId())).isEqualTo(card);
    assertThat(editsOf(TEAM_CHAT, card.messageId())).isEqualTo(editsBefore);
  }

  @Test
  void givenARussianClient_whenTheyRefreshTheEnglishTeamCardTwice_thenItStaysEnglishAndIsNotResent()
      throws Exception {
    String id = release("team-language", "v5.0.0");
    botApi.chatMember(TEAM_CHAT, 6611, "member");
    SentMessage card = liveCard(id, "team-language");
    String refresh = card.button("🔄 Refresh");
    int editsBefore = editsOf(TEAM_CHAT, card.messageId());

    for (int i = 0; i < 2; i++) {
      String pressed = CHAT.pressIn(TEAM_CHAT, 6611, "Ivan", "ru", card.messageId(), refresh);
      await().atMost(Duration.ofSeconds(10)).until(() -> CHAT.answer(pressed) != null);
    }

    // the team's language (en), not the presser's; an unchanged card is not edited at all (one
    // edit only if the card's "in progress" minute turned meanwhile), so Telegram never answers
    // "message is not modified"
    assertThat(CHAT.message(TEAM_CHAT, card.messageId()).text())
        .startsWith("📦 Service: team-language");
    assertThat(editsOf(TEAM_CHAT, card.messageId()) - editsBefore).isLessThanOrEqualTo(1);
    assertThat(botApi.rejections("editMessageText"))
        .filteredOn(r -> FakeBotApi.json(r.call()).path("message_id").asInt() == card.messageId())
        .noneMatch(r -> r.description().contains("message is not modified"));
  }

  @Test
  void givenForgedOrMisplacedData_whenPressedOnTheLiveCard_thenRefusedAndTheCardIsUntouched()
      throws Exception {
    String id = release("forged-pager", "v4.0.0");
    release("forged-pager-2", "v4.0.0");
    botApi.chatMember(TEAM_CHAT, 6610, "administrator");
    SentMessage card = liveCard(id, "forged-pager");
    // a genuine, signed pager of the member's own list (two active releases: it has a pager)
    SentMessage menu = startAndAwaitMenu(6610, "Oscar");
    openActive(6610, "Oscar", menu.messageId(), null);
    String genuinePager = CHAT.message(6610, menu.messageId()).button("Next ➡️");
    int editsBefore = editsOf(TEAM_CHAT, card.messageId());

    List<String> presses =
        List.of(
            press(6610, "Oscar", TEAM_CHAT, card.messageId(), "l:a:999"),
            press(6610, "Oscar", TEAM_CHAT, card.messageId(), "l:a:999:AAAAAAAAAAA"),
            press(6610, "Oscar", TEAM_CHAT, card.messageId(), genuinePager),
            press(6610, "Oscar", TEAM_CHAT, card.messageId(), "menu"));

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> presses.stream().allMatch(p -> CHAT.answer(p) != null));
    assertThat(presses.stream().map(CHAT::answer))
        .containsExactly(
            "⚠️ This button is not rmm's or was altered: nothing was done.",
            "⚠️ This button is not rmm's or was altered: nothing was done.",
            "⌛ This button is no longer on this message: nothing was done.", // ours, not here
            "⚠️ This button is not rmm's or was altered: nothing was done.");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> editsOf(TEAM_CHAT, card.messageId()) == editsBefore);
    assertThat(CHAT.message(TEAM_CHAT, card.messageId())).isEqualTo(card);
    assertThat(card.buttonTexts()).contains("✅ Approve", "❌ Reject");
  }

  /**
   * The policy in force is the newest event of the policy topic, as release-api decides: an
   * approver added after the release was created is let through to the confirmation (before, the
   * gateway's own check refused them with the policy the release recorded), the card names the
   * approvers in force, and an approver removed for the service is refused locally.
   */
  @Test
  void
      givenThePolicyChangedAfterTheReleaseWasCreated_thenTheCardAndThePressesFollowThePolicyInForce()
          throws Exception {
    String id = release("policy-svc", "v5.0.0"); // recorded: Ann approves
    bobTakesOver();

    // Bob is in no release's recorded policy: the policy in force lets him in and to the
    // confirmation
    SentMessage menu = startAndAwaitMenu(NEW_APPROVER, "Bob");
    openActive(NEW_APPROVER, "Bob", menu.messageId(), "policy-svc");
    pageTo(NEW_APPROVER, menu.messageId(), id);
    SentMessage card = CHAT.message(NEW_APPROVER, menu.messageId());
    assertThat(card.text()).contains("Bob").doesNotContain("Ann");
    press(NEW_APPROVER, "Bob", NEW_APPROVER, card.messageId(), card.button("✅ Approve"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                botApi.messages(NEW_APPROVER).stream()
                    .anyMatch(m -> m.text().startsWith("Approve policy-svc")));

    // Ann approves it no more: refused by the gateway itself after the one recorded refusal
    SentMessage annMenu = startAndAwaitMenu(APPROVER, "Ann");
    openActive(APPROVER, "Ann", annMenu.messageId(), "policy-svc");
    pageTo(APPROVER, annMenu.messageId(), id);
    SentMessage annCard = CHAT.message(APPROVER, annMenu.messageId());
    List<String> presses = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      presses.add(
          press(APPROVER, "Ann", APPROVER, annCard.messageId(), annCard.button("✅ Approve")));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> presses.stream().allMatch(p -> CHAT.answer(p) != null));
    assertThat(presses.stream().map(CHAT::answer))
        .filteredOn(t -> t.equals("⛔ Not allowed: only the release's approvers may approve it"))
        .hasSizeGreaterThanOrEqualTo(2);
    assertThat(commandsBy(APPROVER, id)).hasSizeLessThanOrEqualTo(1);
    assertThat(botApi.messages(APPROVER)).noneMatch(m -> m.text().startsWith("Approve policy-svc"));
  }

  /**
   * Issue 13, point 9 on the card: an approval given by someone the policy in force no longer lists
   * stays on the card, marked, and does not count toward "k of n", as in the decider.
   */
  @Test
  void
      givenAnApprovalByAnApproverThePolicyInForceRemoved_whenTheCardIsShown_thenItIsMarkedAndNotCounted()
          throws Exception {
    String id = release("removed-approver-svc", "v6.0.0"); // recorded: Ann approves
    pg.preparedQuery(
            "UPDATE read_model.releases SET approved_list = jsonb_build_array(jsonb_build_object("
                + "'id', $2::bigint, 'name', 'Ann', 'at', '2026-12-01T10:00:00Z')) WHERE"
                + " release_id = $1")
        .execute(Tuple.of(id, APPROVER))
        .await()
        .atMost(Duration.ofSeconds(10));
    bobTakesOver();

    SentMessage card = liveCard(id, "removed-approver-svc");

    assertThat(card.text())
        .contains("👥 Approvals needed (1 of 1): Bob")
        .contains("✅ Approved so far (0/1): Ann (no longer an approver, not counted)");
  }

  /**
   * Issue 15 point 3 on the live card, over the gateway's overlay of the policy in force (a real
   * policy topic): roles-svc needs one QA and one lead; Bob, the QA, approved, so "1 of 2" is met
   * but the lead's role is not, and the card says so.
   */
  @Test
  void givenARoleQuorumInThePolicyInForce_whenOnlyTheQaApproved_thenTheCardShowsTheLeadMissing()
      throws Exception {
    String id = release("roles-svc", "v7.0.0");
    pg.preparedQuery(
            "UPDATE read_model.releases SET approved_list = jsonb_build_array(jsonb_build_object("
                + "'id', $2::bigint, 'name', 'Bob', 'at', $3::text)) WHERE release_id = $1")
        .execute(Tuple.of(id, NEW_APPROVER, Instant.now().toString()))
        .await()
        .atMost(Duration.ofSeconds(10));
    bobTakesOver();

    SentMessage card = liveCard(id, "roles-svc");

    assertThat(card.text())
        .contains("👥 Approvals needed (1 of 2): Bob (qa), Ann (lead)")
        .contains("✅ Approved so far (1/1): Bob")
        .contains("🎭 Roles: qa 1/1 · lead 0/1");
  }

  /**
   * The policy in force from now on (one event for the whole class: the policy topic is one chain):
   * Bob, not Ann, approves policy-svc and removed-approver-svc; every other service keeps what its
   * releases recorded.
   */
  private void bobTakesOver() throws Exception {
    synchronized (AccessTest.class) {
      if (policyAppended) {
        return;
      }
      ApprovalPolicy asRecorded =
          new ApprovalPolicy(
              List.of(new ApprovalPolicy.Approver(APPROVER, "Ann", null)),
              1,
              false,
              List.of(ADMIN));
      ApprovalPolicy bobOnly =
          new ApprovalPolicy(
              List.of(new ApprovalPolicy.Approver(NEW_APPROVER, "Bob", null)),
              1,
              false,
              List.of(ADMIN));
      ReleaseEvent.PolicyChanged.Service bob =
          new ReleaseEvent.PolicyChanged.Service(bobOnly, null, List.of());
      // issue 15 point 3: Bob is the QA, Ann the lead, and roles-svc needs one of each
      Map<String, Integer> roles = new java.util.LinkedHashMap<>();
      roles.put("qa", 1);
      roles.put("lead", 1);
      ApprovalPolicy qaAndLead =
          new ApprovalPolicy(
                  List.of(
                      new ApprovalPolicy.Approver(NEW_APPROVER, "Bob", null)
                          .withRoles(List.of("qa")),
                      new ApprovalPolicy.Approver(APPROVER, "Ann", null)
                          .withRoles(List.of("lead"))),
                  1,
                  false,
                  List.of(ADMIN))
              .withRoles(roles);
      appendPolicy(
          new ReleaseEvent.PolicyChanged(
              Map.of(
                  "policy-svc",
                  bob,
                  "removed-approver-svc",
                  bob,
                  "roles-svc",
                  new ReleaseEvent.PolicyChanged.Service(qaAndLead, null, List.of())),
              asRecorded,
              List.of("policy-svc", "removed-approver-svc"),
              "/etc/rmm/policy.json",
              null,
              "Olga: Bob takes over policy-svc and removed-approver-svc",
              null));
      policyAppended = true;
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> policies.inForce("removed-approver-svc") != null);
  }

  private void appendPolicy(ReleaseEvent.PolicyChanged policy) throws Exception {
    Properties a = new Properties();
    a.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin admin = Admin.create(a)) {
      admin
          .createTopics(List.of(new NewTopic(POLICIES, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    EventEnvelope e =
        new EventEnvelope(
            UUID.randomUUID().toString(),
            ReleaseEvent.PolicyChanged.SUBJECT,
            1,
            Instant.now(),
            Actor.system("release-api@test"),
            null,
            null,
            null,
            policy);
    appendFirst(POLICIES, ReleaseEvent.PolicyChanged.SUBJECT, e);
  }

  /** Appends {@code e} as the first link of its chain to {@code topic}. */
  private void appendFirst(String topic, String key, EventEnvelope e) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
      producer
          .send(
              new ProducerRecord<>(topic, key, EventCodec.encode(e.chainedTo(EventChain.GENESIS))))
          .get();
    }
  }

  // ---------------------------------------------------------------- helpers

  private static String start(long user, String name) {
    return botApi.message(CHAT.nextUpdateId(), user, name, "en", "/start");
  }

  private static SentMessage startAndAwaitMenu(long user, String name) {
    botApi.push(start(user, name));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> botApi.messages(user).stream().anyMatch(m -> isMenu(m, name)));
    return botApi.messages(user).stream().filter(m -> isMenu(m, name)).findFirst().get();
  }

  private static boolean isMenu(SentMessage m, String name) {
    return m.text().startsWith("👋 Hello, " + name + "!");
  }

  /** Presses a button; returns the callback query's id. */
  private static String press(long user, String name, long chat, int messageId, String data) {
    return CHAT.pressIn(chat, user, name, "en", messageId, data);
  }

  /** Pages the list shown in the message until it shows the release. */
  /**
   * The active releases from the menu: the service picker, then the service's first card (every
   * service's when {@code service} is null).
   */
  private static void openActive(long chat, String name, int menuId, String service) {
    press(chat, name, chat, menuId, CHAT.message(chat, menuId).button("🚀 Active releases"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> CHAT.message(chat, menuId).text().equals("🚀 Active releases: which service?"));
    SentMessage picker = CHAT.message(chat, menuId);
    String pick =
        service == null ? picker.button("📋 All services (") : picker.button(service + " (");
    press(chat, name, chat, menuId, pick);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> CHAT.message(chat, menuId).text().startsWith("📦 Service: "));
  }

  private void pageTo(long chat, int messageId, String releaseId) {
    for (int i = 0; i < 20; i++) {
      SentMessage shown = CHAT.message(chat, messageId);
      if (shown.buttonData().stream().anyMatch(d -> d.contains(releaseId))) {
        return;
      }
      press(chat, "U", chat, messageId, shown.button("Next ➡️"));
      String before = shown.text() + shown.buttonData();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                SentMessage now = CHAT.message(chat, messageId);
                return !(now.text() + now.buttonData()).equals(before);
              });
    }
    throw new AssertionError("release " + releaseId + " is not in the list");
  }

  private static int editsOf(long chat, int messageId) {
    return (int)
        botApi.calls("editMessageText").stream()
            .map(FakeBotApi::json)
            .filter(
                e ->
                    e.path("chat_id").asLong() == chat && e.path("message_id").asInt() == messageId)
            .count();
  }

  /** The commands on the gateway's commands topic about a release by a Telegram user. */
  private List<ReleaseCommand> commandsBy(long user, String releaseId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<ReleaseCommand> found = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition(AccessTestStack.COMMANDS, 0);
      c.assign(List.of(tp));
      c.seekToBeginning(List.of(tp));
      long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          ReleaseCommand cmd = CommandCodec.decode(r.value()).command();
          if (cmd.releaseId().equals(releaseId) && cmd.actor().id().equals(Long.toString(user))) {
            found.add(cmd);
          }
        }
      }
    }
    return found;
  }

  /**
   * A release in manual_testing in the read model, approved by {@link #APPROVER} with {@link
   * #ADMIN} as admin; returns its id.
   */
  private String release(String service, String tag) {
    String id = UUID.randomUUID().toString();
    Instant now = Instant.now();
    pg.preparedQuery(
            "INSERT INTO read_model.releases (release_id, service_name, release_tag, status,"
                + " outcome, initiated_by, github_run_id, github_action_link, github_ref,"
                + " repository, commit_sha, required_approvers, quorum, admins, version,"
                + " created_at, started_at, updated_at) VALUES ($1, $2, $3, 'manual_testing',"
                + " 'active', 'octocat', '1', 'https://github.com/acme/x/actions/runs/1',"
                + " 'refs/tags/' || $3, 'acme/x', 'abc1234',"
                + " jsonb_build_array(jsonb_build_object('id', $4::bigint, 'name', 'Ann')), 1,"
                + " jsonb_build_array($5::bigint), 1, $6, $6, $6)")
        .execute(
            Tuple.from(List.of(id, service, tag, APPROVER, ADMIN, now.atOffset(ZoneOffset.UTC))))
        .await()
        .atMost(Duration.ofSeconds(10));
    return id;
  }

  /** Appends the release's first event, so the team chat gets its live card; returns the card. */
  private SentMessage liveCard(String releaseId, String service) throws Exception {
    EventEnvelope e =
        new EventEnvelope(
            UUID.randomUUID().toString(),
            releaseId,
            1,
            Instant.now(),
            new Actor(Actor.Kind.GITHUB, "acme/x", "octocat"),
            null,
            null,
            null,
            new ReleaseEvent.StatusChanged(
                ReleaseStatus.STAGE_TEST_ROLLBACK, ReleaseStatus.MANUAL_TESTING, null));
    appendFirst(AccessTestStack.EVENTS, releaseId, e);
    Predicate<SentMessage> isCard = m -> m.text().startsWith("📦 Service: " + service + "\n");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> botApi.messages(TEAM_CHAT).stream().anyMatch(isCard));
    return botApi.messages(TEAM_CHAT).stream().filter(isCard).findFirst().get();
  }
}
