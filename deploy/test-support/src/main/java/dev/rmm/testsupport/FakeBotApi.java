package dev.rmm.testsupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local Telegram Bot API server that behaves like the real one
 * (https://core.telegram.org/bots/api) for the methods the bot uses. It answers the real paths
 * ({@code /bot<token>/<method>}, method names case-insensitive as Telegram's are), takes JSON, form
 * and multipart bodies, hands out scripted updates to {@code getUpdates}, keeps the messages the
 * bot sent (so edits are checked against them: unknown message, "message is not modified"),
 * validates text and callback data lengths with Telegram's error answers, and can be told to fail
 * (429 with {@code retry_after}, a blocked chat, any error, an outage of a while) for the bot's
 * error handling. {@code getUpdates} follows the Bot API's offsets: an update it returned is
 * returned again until a request's {@code offset} is greater than its id.
 *
 * <p>Each instance is one Bot API with its own server and state, so that two test classes (or two
 * applications started one after the other in a JVM) never see each other's updates, messages or
 * injected failures: {@link #start()} starts its server and returns its base URL (for services run
 * as processes), {@link #close()} stops it, {@link Resource} points a {@code @QuarkusTest}
 * application at a new one and injects it into the test's {@link Injected} fields, {@link #reset()}
 * clears what a test left behind.
 */
public final class FakeBotApi implements AutoCloseable {

  /**
   * Marks the test class field (static or not, not final) that {@link Resource}, and the test
   * resources that start a fake of their own ({@link Resource#inject}), fill with their instance.
   */
  @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
  @java.lang.annotation.Target(java.lang.annotation.ElementType.FIELD)
  public @interface Injected {}

  public static final String TOKEN = "123456:TEST-TOKEN";

  /** The bot's own user id (the token's prefix) and username, as {@code getMe} answers them. */
  public static final long BOT_ID = 123456;

  public static final String BOT_USERNAME = "rmm_test_bot";

  /** One request the bot made: the method in lower case and the request body as sent. */
  public record Call(String method, String body) {}

  /** A request the fake answered with an error (validation, blocked chat or injected failure). */
  public record Rejection(Call call, int errorCode, String description) {}

  /**
   * A message the bot sent, as it stands now (after its edits): {@code replyMarkup} is the markup
   * last sent with it, {@code null} when there is none.
   */
  public record SentMessage(long chatId, int messageId, String text, JsonNode replyMarkup) {

    /** The texts of its inline buttons, row by row. */
    public List<String> buttonTexts() {
      return buttons("text");
    }

    /** The callback data of its inline buttons, row by row. */
    public List<String> buttonData() {
      return buttons("callback_data");
    }

    /**
     * The callback data of the first button whose text starts with {@code textPrefix}.
     *
     * @throws AssertionError when there is none
     */
    public String button(String textPrefix) {
      List<String> texts = buttonTexts();
      for (int i = 0; i < texts.size(); i++) {
        if (texts.get(i).startsWith(textPrefix)) {
          return buttonData().get(i);
        }
      }
      throw new AssertionError("no button '" + textPrefix + "' on " + this);
    }

    private List<String> buttons(String field) {
      List<String> out = new ArrayList<>();
      if (replyMarkup != null) {
        replyMarkup
            .path("inline_keyboard")
            .forEach(row -> row.forEach(b -> out.add(b.path(field).asText())));
      }
      return out;
    }
  }

  private record Stored(
      long chatId, int messageId, String text, JsonNode replyMarkup, long date, Long editDate) {}

  private record Failure(int errorCode, String description, Integer retryAfter) {}

  /**
   * One request with the right token as it arrived: the method in lower case, when ({@link
   * System#nanoTime()}), and the injected failure it got (0: none, else its error code, with the
   * {@code retry_after} sent, or null), for checks that the bot waited as it was asked to. {@code
   * answeredNanos} is when the fake had sent its answer to an injected failure (the bot cannot have
   * read a {@code retry_after} before then, so a wait counts from there); the arrival for other
   * requests.
   */
  public record Arrival(
      String method, long atNanos, int errorCode, Integer retryAfter, long answeredNanos) {}

  private final java.util.Queue<Arrival> arrivals =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** A Bot API error answer. */
  private static final class ApiError extends Exception {
    private final int errorCode;
    private final Integer retryAfter;

    ApiError(int errorCode, String description, Integer retryAfter) {
      super(description, null, false, false);
      this.errorCode = errorCode;
      this.retryAfter = retryAfter;
    }

    ApiError(int errorCode, String description) {
      this(errorCode, description, null);
    }
  }

  private static final String NOT_MODIFIED =
      "Bad Request: message is not modified: specified new message content and reply markup are"
          + " exactly the same as a current content and reply markup of the message";
  private static final int MAX_TEXT = 4096;
  private static final int MAX_CAPTION = 1024;
  private static final int MAX_CALLBACK_DATA_BYTES = 64;
  private static final int MAX_CALLBACK_ANSWER = 200;
  private static final long DEFAULT_POLL_MILLIS = 300;
  private static final long MAX_POLL_MILLIS = 1000;

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final BlockingQueue<String> updates = new LinkedBlockingQueue<>();

  /** Updates getUpdates returned and no offset confirmed yet, by update id. Guarded by itself. */
  private final NavigableMap<Integer, String> unconfirmed = new TreeMap<>();

  /** Outages: until when ({@link System#nanoTime()}) which methods fail, and how. */
  private record Outage(long untilNanos, Set<String> methods, Failure failure) {}

  private final List<Outage> outages = new CopyOnWriteArrayList<>();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final List<Rejection> rejections = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
  private final Map<String, Deque<Failure>> failures = new HashMap<>(); // guarded by itself
  private final Set<Long> blocked = ConcurrentHashMap.newKeySet();

  /** What getChatMember answers: chat id -> user id -> a ChatMember's status (and is_member). */
  private final Map<Long, Map<Long, Membership>> members = new ConcurrentHashMap<>();

  private record Membership(String status, boolean isMember) {}

  private final Map<Long, NavigableMap<Integer, Stored>> messages =
      new HashMap<>(); // guarded by itself
  private final AtomicInteger messageIds = new AtomicInteger(100);
  private final AtomicLong callbackIds = new AtomicLong(4_000_000_000_000_000_000L);
  private HttpServer server; // guarded by this

  /** A fake that is not started yet: {@link #start()} starts it. */
  public FakeBotApi() {}

  // ---------------------------------------------------------------- lifecycle

  /**
   * Starts the server on a free loopback port, once per instance (later calls return the same URL).
   *
   * @return the base URL, {@code http://127.0.0.1:<port>}: the bot calls {@code
   *     <url>/bot<TOKEN>/<method>}
   */
  public synchronized String start() {
    if (server == null) {
      server = LoopbackServer.start("fake-bot-api", this::handle);
    }
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** Stops the server (a request in flight is cut off); the state stays readable. */
  @Override
  public synchronized void close() {
    if (server != null) {
      server.stop(0);
      server = null;
    }
  }

  /**
   * The telegram-gateway configuration that points it at this fake (starting it if needed): {@code
   * rmm.telegram.bot-token} and {@code rmm.telegram.api-url}.
   */
  public Map<String, String> gatewayConfig() {
    return Map.of("rmm.telegram.bot-token", TOKEN, "rmm.telegram.api-url", start());
  }

  /**
   * Forgets everything tests did: queued updates, recorded calls, rejections and attempts, stored
   * messages, injected failures and blocked chats. Message and callback ids keep counting up.
   */
  public void reset() {
    answered.clear();
    pressed.clear();
    shown.clear();
    callbackQueryLifetime = null;
    updates.clear();
    synchronized (unconfirmed) {
      unconfirmed.clear();
    }
    outages.clear();
    arrivals.clear();
    calls.clear();
    rejections.clear();
    attempts.clear();
    synchronized (failures) {
      failures.clear();
    }
    blocked.clear();
    members.clear();
    synchronized (messages) {
      messages.clear();
    }
  }

  // ---------------------------------------------------------------- scripting

  /**
   * Queues an update (raw Bot API JSON) for the bot's next getUpdates. A callback query is taken as
   * pressed now, for {@link #callbackQueryLifetime} and {@link #pressOutcome}.
   */
  public void push(String updateJson) {
    pressed(updateJson);
    updates.add(updateJson);
  }

  /**
   * From now on (until {@link #reset()}) an answer to a callback query later than {@code lifetime}
   * after it was pushed gets 400 "query is too old and response timeout expired or query ID is
   * invalid", as Telegram answers once a press's spinner has timed out (Telegram does not document
   * how long; a few seconds to about 15 are reported). By default answers are taken at any time.
   */
  public void callbackQueryLifetime(java.time.Duration lifetime) {
    callbackQueryLifetime = lifetime;
  }

  private void pressed(String updateJson) {
    JsonNode query;
    try {
      query = MAPPER.readTree(updateJson).path("callback_query");
    } catch (JsonProcessingException notJson) {
      return; // handed to the bot as it is: a test of its input checks
    }
    JsonNode message = query.path("message");
    if (query.path("id").isTextual() && message.path("message_id").canConvertToInt()) {
      pressed.putIfAbsent(
          query.path("id").asText(),
          new Pressed(
              message.path("chat").path("id").asLong(),
              message.path("message_id").asInt(),
              System.nanoTime()));
    }
  }

  /**
   * From now on sendMessage and edits to this chat fail with 403 "Forbidden: bot was blocked by the
   * user".
   */
  public void blockChat(long chatId) {
    blocked.add(chatId);
  }

  /**
   * What {@code getChatMember} answers for this user in this group from now on: a ChatMember with
   * this status, {@code creator}, {@code administrator}, {@code member}, {@code left} or {@code
   * kicked} (for {@code restricted} see {@link #restrictedMember}). A user never set is {@code
   * left}, as Telegram answers for someone who is not in the chat.
   */
  public void chatMember(long chatId, long userId, String status) {
    if (!Set.of("creator", "administrator", "member", "left", "kicked").contains(status)) {
      throw new IllegalArgumentException("not a ChatMember status: " + status);
    }
    members
        .computeIfAbsent(chatId, c -> new ConcurrentHashMap<>())
        .put(userId, new Membership(status, !status.equals("left") && !status.equals("kicked")));
  }

  /**
   * The user is {@code restricted} in the group: still in it ({@code is_member} true) or restricted
   * after leaving it (false).
   */
  public void restrictedMember(long chatId, long userId, boolean isMember) {
    members
        .computeIfAbsent(chatId, c -> new ConcurrentHashMap<>())
        .put(userId, new Membership("restricted", isMember));
  }

  /** Undoes {@link #blockChat(long)}. */
  public void unblockChat(long chatId) {
    blocked.remove(chatId);
  }

  /**
   * Makes the next {@code times} requests of {@code method} fail with this error (after the ones
   * already injected for it). The failed requests count in {@link #attempts(String)} and show in
   * {@link #rejections()}, not in {@link #calls()}.
   *
   * @param retryAfter sent as {@code parameters.retry_after} when not null
   */
  public void failNext(
      String method, int times, int errorCode, String description, Integer retryAfter) {
    synchronized (failures) {
      Deque<Failure> queue = failures.computeIfAbsent(lower(method), m -> new ArrayDeque<>());
      for (int i = 0; i < times; i++) {
        queue.add(new Failure(errorCode, description, retryAfter));
      }
    }
  }

  /**
   * For {@code duration} from now, every request of these methods (case-insensitive; none given:
   * every method, getUpdates included) fails with this error, as during an outage of Telegram or a
   * long flood wait. The failed requests count in {@link #attempts(String)} and show in {@link
   * #rejections()}.
   *
   * @param retryAfter sent as {@code parameters.retry_after} when not null
   */
  public void failDuring(
      java.time.Duration duration,
      int errorCode,
      String description,
      Integer retryAfter,
      String... methods) {
    Set<String> lower = new java.util.HashSet<>();
    for (String m : methods) {
      lower.add(lower(m));
    }
    outages.add(
        new Outage(
            System.nanoTime() + duration.toNanos(),
            Set.copyOf(lower),
            new Failure(errorCode, description, retryAfter)));
  }

  /**
   * The next {@code times} requests of {@code method} are answered 429 "Too Many Requests: retry
   * after N" with {@code parameters.retry_after} N, as Telegram's flood control does.
   */
  public void tooManyRequests(String method, int times, int retryAfterSeconds) {
    failNext(
        method,
        times,
        429,
        "Too Many Requests: retry after " + retryAfterSeconds,
        retryAfterSeconds);
  }

  // ---------------------------------------------------------------- inspection

  /** Every request with the right token, getUpdates included, in the order they arrived. */
  public List<Arrival> arrivals() {
    // an injected failure is recorded once answered, possibly after a later request arrived
    return arrivals.stream().sorted(java.util.Comparator.comparingLong(Arrival::atNanos)).toList();
  }

  /** The requests the fake accepted (answered {@code ok:true}), except getUpdates, in order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The accepted requests of one method (case-insensitive), in order. */
  public List<Call> calls(String method) {
    String m = lower(method);
    return calls.stream().filter(c -> c.method().equals(m)).toList();
  }

  /** The requests answered with an error, in order. */
  public List<Rejection> rejections() {
    return List.copyOf(rejections);
  }

  /** The rejected requests of one method (case-insensitive), in order. */
  public List<Rejection> rejections(String method) {
    String m = lower(method);
    return rejections.stream().filter(r -> r.call().method().equals(m)).toList();
  }

  /**
   * How many requests of this method (case-insensitive) reached the fake with the right token,
   * accepted or failed (getUpdates included).
   */
  public int attempts(String method) {
    AtomicInteger n = attempts.get(lower(method));
    return n == null ? 0 : n.get();
  }

  /**
   * A call's parameters as one JSON object, whether it was sent as JSON, form or multipart (a
   * {@code reply_markup} sent as a JSON string is parsed).
   */
  public static JsonNode json(Call call) {
    try {
      ObjectNode params = parseBody(null, call.body());
      JsonNode markup = params.get("reply_markup");
      if (markup != null && markup.isTextual()) {
        params.set("reply_markup", MAPPER.readTree(markup.asText()));
      }
      return params;
    } catch (ApiError | JsonProcessingException e) {
      throw new IllegalArgumentException("not a Bot API request body: " + call.body(), e);
    }
  }

  /** The messages the bot sent to a chat and did not delete, by message id, as edited since. */
  public List<SentMessage> messages(long chatId) {
    synchronized (messages) {
      NavigableMap<Integer, Stored> chat = messages.get(chatId);
      if (chat == null) {
        return List.of();
      }
      return chat.values().stream()
          .map(
              s ->
                  new SentMessage(
                      s.chatId(),
                      s.messageId(),
                      s.text(),
                      s.replyMarkup() == null ? null : s.replyMarkup().deepCopy()))
          .toList();
    }
  }

  // ---------------------------------------------------------------- update builders

  /** A text message update from a user in their private chat. */
  public String message(int updateId, long userId, String firstName, String language, String text) {
    ObjectNode chat = MAPPER.createObjectNode();
    chat.put("id", userId).put("type", "private").put("first_name", firstName);
    return update(updateId, "message", userMessage(chat, user(userId, firstName, language), text));
  }

  /** A text message update from a user in a group (a supergroup, as Telegram's groups are now). */
  public String groupMessage(
      int updateId, long chatId, long userId, String firstName, String language, String text) {
    return update(
        updateId,
        "message",
        userMessage(chat(chatId, null), user(userId, firstName, language), text));
  }

  /**
   * A user pressing an inline button with {@code data} under message {@code messageId} of chat
   * {@code chatId}. The callback query gets a unique id; its message carries the text and markup
   * the fake stored for that message when the bot sent it.
   */
  public String callback(
      int updateId,
      long userId,
      String firstName,
      String language,
      long chatId,
      int messageId,
      String data) {
    Stored stored;
    synchronized (messages) {
      NavigableMap<Integer, Stored> chat = messages.get(chatId);
      stored = chat == null ? null : chat.get(messageId);
    }
    ObjectNode message =
        stored != null
            ? messageJson(stored, chatId == userId ? firstName : null)
            : MAPPER
                .createObjectNode()
                .put("message_id", messageId)
                .<ObjectNode>set("from", botUser())
                .put("date", now())
                .set("chat", chat(chatId, chatId == userId ? firstName : null));
    ObjectNode query = MAPPER.createObjectNode();
    query.put("id", Long.toString(callbackIds.incrementAndGet()));
    query.set("from", user(userId, firstName, language));
    query.set("message", message);
    query.put("chat_instance", Long.toString(chatId * 7919L + 104729L));
    query.put("data", data);
    return update(updateId, "callback_query", query);
  }

  private static String update(int updateId, String kind, ObjectNode payload) {
    ObjectNode update = MAPPER.createObjectNode();
    update.put("update_id", updateId);
    update.set(kind, payload);
    return update.toString();
  }

  private ObjectNode userMessage(ObjectNode chat, ObjectNode from, String text) {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("message_id", messageIds.incrementAndGet());
    message.set("from", from);
    message.set("chat", chat);
    message.put("date", now());
    message.put("text", text);
    if (text != null && text.startsWith("/")) {
      int end = 0;
      while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
        end++;
      }
      ArrayNode entities = message.putArray("entities");
      entities.addObject().put("offset", 0).put("length", end).put("type", "bot_command");
    }
    return message;
  }

  private static ObjectNode user(long userId, String firstName, String language) {
    ObjectNode user = MAPPER.createObjectNode();
    user.put("id", userId).put("is_bot", false).put("first_name", firstName);
    if (language != null) {
      user.put("language_code", language);
    }
    return user;
  }

  private static ObjectNode botUser() {
    return MAPPER
        .createObjectNode()
        .put("id", BOT_ID)
        .put("is_bot", true)
        .put("first_name", "rmm")
        .put("username", BOT_USERNAME);
  }

  private static ObjectNode chat(long chatId, String firstName) {
    ObjectNode chat = MAPPER.createObjectNode().put("id", chatId);
    if (chatId > 0) {
      chat.put("type", "private");
      if (firstName != null) {
        chat.put("first_name", firstName);
      }
    } else {
      chat.put("type", "supergroup").put("title", "rmm test group");
    }
    return chat;
  }

  private static ObjectNode messageJson(Stored s, String firstName) {
    ObjectNode message = MAPPER.createObjectNode();
    message.put("message_id", s.messageId());
    message.set("from", botUser());
    message.set("chat", chat(s.chatId(), firstName));
    message.put("date", s.date());
    if (s.editDate() != null) {
      message.put("edit_date", s.editDate());
    }
    message.put("text", s.text());
    JsonNode inline = inline(s.replyMarkup());
    if (inline != null) {
      message.set("reply_markup", inline.deepCopy());
    }
    return message;
  }

  // ---------------------------------------------------------------- server

  private void handle(HttpExchange ex) throws IOException {
    try {
      String prefix = "/bot" + TOKEN + "/";
      String path = ex.getRequestURI().getPath();
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      if (!path.startsWith(prefix)) {
        respond(ex, 401, error(new ApiError(401, "Unauthorized")));
        return;
      }
      String method = lower(path.substring(prefix.length()));
      attempts.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
      long arrived = System.nanoTime();
      Call call = new Call(method, body);
      boolean record = !method.equals("getupdates");
      JsonNode result;
      try {
        Failure failure = nextFailure(method);
        if (failure != null) {
          ApiError e =
              new ApiError(failure.errorCode(), failure.description(), failure.retryAfter());
          if (record) {
            rejections.add(new Rejection(call, e.errorCode, e.getMessage()));
          }
          respond(ex, e.errorCode, error(e));
          ex.getResponseBody().close(); // sent: from now on the bot may read the retry_after
          arrivals.add(
              new Arrival(
                  method, arrived, failure.errorCode(), failure.retryAfter(), System.nanoTime()));
          return;
        }
        arrivals.add(new Arrival(method, arrived, 0, null, arrived));
        ObjectNode params = parseBody(ex.getRequestHeaders().getFirst("Content-Type"), body);
        parseForm(ex.getRequestURI().getRawQuery(), params);
        if (method.equals("getupdates")) {
          respond(ex, 200, "{\"ok\":true,\"result\":[" + String.join(",", poll(params)) + "]}");
          return;
        }
        result = answer(method, params);
      } catch (ApiError e) {
        if (record) {
          rejections.add(new Rejection(call, e.errorCode, e.getMessage()));
        }
        respond(ex, e.errorCode, error(e));
        return;
      }
      calls.add(call);
      ObjectNode ok = MAPPER.createObjectNode().put("ok", true);
      ok.set("result", result);
      respond(ex, 200, ok.toString());
    } catch (RuntimeException e) {
      e.printStackTrace();
      respond(ex, 500, error(new ApiError(500, "Internal Server Error: " + e)));
    } finally {
      ex.close();
    }
  }

  private JsonNode answer(String method, ObjectNode params) throws ApiError {
    return switch (method) {
      case "sendmessage" -> sendMessage(params);
      case "sendphoto" -> sendPhoto(params);
      case "editmessagetext" -> editMessageText(params);
      case "editmessagereplymarkup" -> editMessageReplyMarkup(params);
      case "answercallbackquery" -> answerCallbackQuery(params);
      case "deletemessage" -> deleteMessage(params);
      case "getchatmember" -> getChatMember(params);
      case "getme" -> botUser();
      default -> MAPPER.getNodeFactory().booleanNode(true); // setWebhook, deleteWebhook, ...
    };
  }

  private List<String> poll(ObjectNode params) {
    long waitMillis = DEFAULT_POLL_MILLIS;
    String timeout = str(params, "timeout");
    if (timeout != null && !timeout.isEmpty()) {
      try {
        waitMillis = Math.min(Math.max(Long.parseLong(timeout), 0) * 1000, MAX_POLL_MILLIS);
      } catch (NumberFormatException ignored) {
        // Telegram reads a bad number as 0
        waitMillis = 0;
      }
    }
    int limit = 100;
    String l = str(params, "limit");
    if (l != null && !l.isEmpty()) {
      try {
        limit = Math.min(Math.max(Integer.parseInt(l), 1), 100);
      } catch (NumberFormatException ignored) {
        // keep the default
      }
    }
    List<String> batch = new ArrayList<>();
    synchronized (unconfirmed) {
      String offset = str(params, "offset");
      if (offset != null && !offset.isEmpty()) {
        try {
          unconfirmed.headMap(Integer.parseInt(offset.trim()), false).clear();
        } catch (NumberFormatException ignored) {
          // confirms nothing
        }
      }
      unconfirmed.values().stream().limit(limit).forEach(batch::add);
    }
    if (batch.isEmpty()) {
      try {
        String first = updates.poll(waitMillis, TimeUnit.MILLISECONDS);
        if (first != null) {
          batch.add(first);
          updates.drainTo(batch, limit - 1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      synchronized (unconfirmed) {
        for (String u : batch) {
          unconfirmed.put(updateId(u), u);
        }
      }
    }
    return batch;
  }

  private static int updateId(String update) {
    try {
      return MAPPER.readTree(update).path("update_id").asInt();
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("a pushed update is not JSON: " + update, e);
    }
  }

  private JsonNode sendMessage(ObjectNode p) throws ApiError {
    String text = text(p);
    long chatId = chatId(p);
    JsonNode markup = markup(p);
    checkButtons(markup);
    checkNotBlocked(chatId);
    Stored stored = new Stored(chatId, messageIds.incrementAndGet(), text, markup, now(), null);
    synchronized (messages) {
      messages.computeIfAbsent(chatId, c -> new TreeMap<>()).put(stored.messageId(), stored);
    }
    Integer replyTo = replyTo(p);
    if (replyTo != null) {
      shown.add(new Shown(chatId, replyTo, true, System.nanoTime()));
    }
    return messageJson(stored, null);
  }

  /**
   * A photo uploaded as a file (multipart: the part {@code photo}, or the part it names with {@code
   * attach://<name>}; the file name is kept) or sent by file id; kept like a message whose text is
   * its caption (Telegram's limit: 1024 characters).
   */
  private JsonNode sendPhoto(ObjectNode p) throws ApiError {
    long chatId = chatId(p);
    String photo = str(p, "photo");
    if (photo != null && photo.startsWith("attach://")) { // the file is the part it names
      photo = str(p, photo.substring("attach://".length()));
    }
    if (photo == null || photo.isBlank()) {
      throw new ApiError(400, "Bad Request: there is no photo in the request");
    }
    String caption = str(p, "caption");
    if (caption != null && caption.codePointCount(0, caption.length()) > MAX_CAPTION) {
      throw new ApiError(400, "Bad Request: message caption is too long");
    }
    checkNotBlocked(chatId);
    Stored stored =
        new Stored(
            chatId,
            messageIds.incrementAndGet(),
            caption == null ? "" : caption,
            null,
            now(),
            null);
    synchronized (messages) {
      messages.computeIfAbsent(chatId, c -> new TreeMap<>()).put(stored.messageId(), stored);
    }
    ObjectNode message = messageJson(stored, null);
    message.remove("text");
    if (caption != null) {
      message.put("caption", caption);
    }
    ObjectNode size =
        message
            .putArray("photo")
            .addObject()
            .put("file_id", "photo-" + stored.messageId())
            .put("file_unique_id", "u" + stored.messageId())
            .put("width", 600)
            .put("height", 240);
    size.put("file_size", 1);
    return message;
  }

  private JsonNode editMessageText(ObjectNode p) throws ApiError {
    String text = text(p);
    long[] target = target(p);
    JsonNode markup = markup(p);
    checkButtons(markup);
    if (target == null) {
      return MAPPER.getNodeFactory().booleanNode(true); // an inline message: not kept here
    }
    return edit(target, text, markup, true);
  }

  private JsonNode editMessageReplyMarkup(ObjectNode p) throws ApiError {
    long[] target = target(p);
    JsonNode markup = markup(p);
    checkButtons(markup);
    if (target == null) {
      return MAPPER.getNodeFactory().booleanNode(true);
    }
    return edit(target, null, markup, false);
  }

  private JsonNode edit(long[] target, String text, JsonNode markup, boolean newText)
      throws ApiError {
    long chatId = target[0];
    int messageId = (int) target[1];
    checkNotBlocked(chatId);
    synchronized (messages) {
      NavigableMap<Integer, Stored> chat = messages.get(chatId);
      Stored old = chat == null ? null : chat.get(messageId);
      if (old == null) {
        throw new ApiError(400, "Bad Request: message to edit not found");
      }
      String newContent = newText ? text : old.text();
      if (newContent.equals(old.text())
          && Objects.equals(inline(markup), inline(old.replyMarkup()))) {
        throw new ApiError(400, NOT_MODIFIED);
      }
      Stored edited = new Stored(chatId, messageId, newContent, markup, old.date(), now());
      chat.put(messageId, edited);
      shown.add(new Shown(chatId, messageId, false, System.nanoTime()));
      return messageJson(edited, null);
    }
  }

  private JsonNode answerCallbackQuery(ObjectNode p) throws ApiError {
    String id = str(p, "callback_query_id");
    java.time.Duration lifetime = callbackQueryLifetime;
    Pressed press = id == null ? null : pressed.get(id);
    if (id == null
        || id.isEmpty()
        || (lifetime != null
            && press != null
            && System.nanoTime() - press.atNanos() > lifetime.toNanos())) {
      throw new ApiError(
          400, "Bad Request: query is too old and response timeout expired or query ID is invalid");
    }
    String text = str(p, "text");
    if (text != null && text.length() > MAX_CALLBACK_ANSWER) {
      throw new ApiError(400, "Bad Request: MESSAGE_TOO_LONG");
    }
    answered.putIfAbsent(id, new Answer(System.nanoTime(), text == null ? "" : text));
    return MAPPER.getNodeFactory().booleanNode(true);
  }

  /** When a callback query was answered ({@link System#nanoTime()}) and with what text. */
  public record Answer(long atNanos, String text) {}

  /**
   * What the user who pressed a button could see of it: the answer to the callback query (its
   * spinner ended, with the answer's text), and the first message sent in reply to the pressed
   * message and the first edit of the pressed message after the press ({@link System#nanoTime()};
   * null when none). A message edit is not always the press's doing: live cards are edited as their
   * releases move on.
   */
  public record PressOutcome(Answer answer, Long repliedAtNanos, Long editedAtNanos) {
    /** Whether the user saw anything at all. */
    public boolean anything() {
      return answer != null || repliedAtNanos != null || editedAtNanos != null;
    }
  }

  /** What the user saw of a press pushed with {@link #push}, so far. */
  public PressOutcome pressOutcome(String callbackQueryId) {
    Answer answer = answered.get(callbackQueryId);
    Pressed p = pressed.get(callbackQueryId);
    if (p == null) {
      return new PressOutcome(answer, null, null);
    }
    Long replied = null;
    Long edited = null;
    for (Shown s : shown) {
      if (s.chatId() != p.chatId() || s.messageId() != p.messageId() || s.atNanos() < p.atNanos()) {
        continue;
      }
      if (s.reply() && replied == null) {
        replied = s.atNanos();
      } else if (!s.reply() && edited == null) {
        edited = s.atNanos();
      }
    }
    return new PressOutcome(answer, replied, edited);
  }

  /** A press pushed: the message its button was on, and when. */
  private record Pressed(long chatId, int messageId, long atNanos) {}

  /**
   * A message sent in reply to message {@code messageId} ({@code reply}), or that message edited.
   */
  private record Shown(long chatId, int messageId, boolean reply, long atNanos) {}

  private final Map<String, Pressed> pressed = new ConcurrentHashMap<>();
  private final java.util.Queue<Shown> shown = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile java.time.Duration callbackQueryLifetime;

  private final java.util.Map<String, Answer> answered =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Waits for the bot's answer to a callback query (for latency measurements: the time is taken
   * when the request arrives); null after {@code timeout}.
   */
  public Answer awaitAnswer(String callbackQueryId, java.time.Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Answer a;
    while ((a = answered.get(callbackQueryId)) == null && System.nanoTime() < deadline) {
      Thread.sleep(0, 200_000);
    }
    return a;
  }

  /**
   * A ChatMember object as the Bot API returns it (ChatMemberOwner, ChatMemberAdministrator,
   * ChatMemberMember, ChatMemberRestricted, ChatMemberLeft or ChatMemberBanned, told apart by
   * {@code status}), with the fields each one always has. A private chat has no members to ask
   * about (400), and a user id that is not a number is not found.
   */
  private JsonNode getChatMember(ObjectNode p) throws ApiError {
    long chatId = chatId(p);
    String userParam = str(p, "user_id");
    long userId;
    try {
      userId = Long.parseLong(Objects.requireNonNull(userParam).trim());
    } catch (RuntimeException e) {
      throw new ApiError(400, "Bad Request: invalid user_id specified");
    }
    if (chatId > 0 && chatId != userId) {
      throw new ApiError(400, "Bad Request: chat not found");
    }
    Membership m =
        chatId > 0
            ? new Membership("member", true)
            : members
                .getOrDefault(chatId, Map.of())
                .getOrDefault(userId, new Membership("left", false));
    ObjectNode member = MAPPER.createObjectNode().put("status", m.status());
    member.set("user", user(userId, "U" + userId, null));
    switch (m.status()) {
      case "creator" -> member.put("is_anonymous", false);
      case "administrator" -> {
        member.put("can_be_edited", false).put("is_anonymous", false);
        for (String right :
            List.of(
                "can_manage_chat",
                "can_delete_messages",
                "can_manage_video_chats",
                "can_restrict_members",
                "can_promote_members",
                "can_change_info",
                "can_invite_users",
                "can_post_stories",
                "can_edit_stories",
                "can_delete_stories")) {
          member.put(right, right.equals("can_manage_chat"));
        }
      }
      case "restricted" -> {
        member.put("is_member", m.isMember());
        for (String right :
            List.of(
                "can_send_messages",
                "can_send_audios",
                "can_send_documents",
                "can_send_photos",
                "can_send_videos",
                "can_send_video_notes",
                "can_send_voice_notes",
                "can_send_polls",
                "can_send_other_messages",
                "can_add_web_page_previews",
                "can_change_info",
                "can_invite_users",
                "can_pin_messages",
                "can_manage_topics")) {
          member.put(right, false);
        }
        member.put("until_date", 0);
      }
      case "kicked" -> member.put("until_date", 0);
      default -> {
        // member and left carry only status and user
      }
    }
    return member;
  }

  private JsonNode deleteMessage(ObjectNode p) {
    try {
      long chatId = Long.parseLong(Objects.requireNonNull(str(p, "chat_id")).trim());
      int messageId = Integer.parseInt(Objects.requireNonNull(str(p, "message_id")).trim());
      synchronized (messages) {
        NavigableMap<Integer, Stored> chat = messages.get(chatId);
        if (chat != null) {
          chat.remove(messageId);
        }
      }
    } catch (RuntimeException notAStoredMessage) {
      // answered true all the same
    }
    return MAPPER.getNodeFactory().booleanNode(true);
  }

  // ---------------------------------------------------------------- validation

  private static String text(ObjectNode p) throws ApiError {
    String text = str(p, "text");
    if (text == null || text.isEmpty()) {
      throw new ApiError(400, "Bad Request: message text is empty");
    }
    String visible = text.strip();
    if ("html".equalsIgnoreCase(str(p, "parse_mode"))) {
      visible =
          visible
              .replaceAll("<[^>]*>", "")
              .replaceAll("&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);", "_")
              .strip();
    }
    if (visible.isEmpty()) {
      throw new ApiError(400, "Bad Request: message must be non-empty");
    }
    if (visible.length() > MAX_TEXT) {
      throw new ApiError(400, "Bad Request: message is too long");
    }
    return text;
  }

  private static long chatId(ObjectNode p) throws ApiError {
    String chatId = str(p, "chat_id");
    if (chatId == null || chatId.isEmpty()) {
      throw new ApiError(400, "Bad Request: chat_id is empty");
    }
    try {
      return Long.parseLong(chatId.trim());
    } catch (NumberFormatException e) {
      throw new ApiError(400, "Bad Request: chat not found");
    }
  }

  /** The edited message as {chat id, message id}, or null for an inline message. */
  private static long[] target(ObjectNode p) throws ApiError {
    String chatId = str(p, "chat_id");
    String messageId = str(p, "message_id");
    boolean noChat = chatId == null || chatId.isEmpty();
    boolean noMessage = messageId == null || messageId.isEmpty() || messageId.equals("0");
    if (noChat && noMessage) {
      String inline = str(p, "inline_message_id");
      if (inline == null || inline.isEmpty()) {
        throw new ApiError(400, "Bad Request: message identifier is not specified");
      }
      return null;
    }
    long chat = chatId(p);
    try {
      return new long[] {chat, noMessage ? 0 : Integer.parseInt(messageId.trim())};
    } catch (NumberFormatException e) {
      throw new ApiError(400, "Bad Request: message to edit not found");
    }
  }

  private static JsonNode markup(ObjectNode p) throws ApiError {
    JsonNode markup = p.get("reply_markup");
    if (markup == null || markup.isNull()) {
      return null;
    }
    if (markup.isTextual()) {
      if (markup.asText().isEmpty()) {
        return null;
      }
      try {
        markup = MAPPER.readTree(markup.asText());
      } catch (JsonProcessingException e) {
        throw new ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object");
      }
    }
    if (!markup.isObject()) {
      throw new ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object");
    }
    return withoutNulls(markup);
  }

  private static void checkButtons(JsonNode markup) throws ApiError {
    JsonNode rows = inline(markup) == null ? null : markup.get("inline_keyboard");
    if (rows == null) {
      return;
    }
    for (JsonNode row : rows) {
      for (JsonNode button : row) {
        JsonNode data = button.get("callback_data");
        if (data != null
            && !data.isNull()
            && data.asText().getBytes(StandardCharsets.UTF_8).length > MAX_CALLBACK_DATA_BYTES) {
          throw new ApiError(400, "Bad Request: BUTTON_DATA_INVALID");
        }
      }
    }
  }

  private void checkNotBlocked(long chatId) throws ApiError {
    if (blocked.contains(chatId)) {
      throw new ApiError(403, "Forbidden: bot was blocked by the user");
    }
  }

  /** The markup when it is an inline keyboard (the only kind a message shows and returns). */
  private static JsonNode inline(JsonNode markup) {
    return markup != null && markup.path("inline_keyboard").isArray() ? markup : null;
  }

  private static JsonNode withoutNulls(JsonNode node) {
    JsonNode copy = node.deepCopy();
    strip(copy);
    return copy;
  }

  private static void strip(JsonNode node) {
    if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        if (field.getValue().isNull()) {
          fields.remove();
        } else {
          strip(field.getValue());
        }
      }
    } else if (node.isArray()) {
      node.forEach(FakeBotApi::strip);
    }
  }

  // ---------------------------------------------------------------- request parsing

  private Failure nextFailure(String method) {
    long now = System.nanoTime();
    outages.removeIf(o -> now - o.untilNanos() >= 0);
    for (Outage o : outages) {
      if (o.methods().isEmpty() || o.methods().contains(method)) {
        return o.failure();
      }
    }
    synchronized (failures) {
      Deque<Failure> queue = failures.get(method);
      return queue == null ? null : queue.poll();
    }
  }

  private static final Pattern BOUNDARY = Pattern.compile("boundary=\"?([^\";]+)\"?");
  private static final Pattern PART_NAME = Pattern.compile("\\bname=\"([^\"]*)\"");
  private static final Pattern FILE_NAME = Pattern.compile("\\bfilename=\"([^\"]*)\"");

  /** The parameters of a body; without a content type it is told by its look. */
  private static ObjectNode parseBody(String contentType, String body) throws ApiError {
    ObjectNode params = MAPPER.createObjectNode();
    String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
    String trimmed = body.strip();
    if (trimmed.isEmpty()) {
      return params;
    }
    if (type.startsWith("multipart/form-data") || (type.isEmpty() && trimmed.startsWith("--"))) {
      Matcher m = BOUNDARY.matcher(contentType == null ? "" : contentType);
      String boundary = m.find() ? m.group(1) : trimmed.substring(2, trimmed.indexOf('\n')).strip();
      parseMultipart(body, boundary, params);
    } else if (type.startsWith("application/json") || (type.isEmpty() && trimmed.startsWith("{"))) {
      try {
        JsonNode json = MAPPER.readTree(body);
        if (!json.isObject()) {
          throw new ApiError(400, "Bad Request: can't parse JSON object");
        }
        params.setAll((ObjectNode) json);
      } catch (JsonProcessingException e) {
        throw new ApiError(400, "Bad Request: can't parse JSON object");
      }
    } else {
      parseForm(trimmed, params);
    }
    return params;
  }

  private static void parseForm(String form, ObjectNode params) {
    if (form == null || form.isEmpty()) {
      return;
    }
    for (String pair : form.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(name, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
  }

  private static void parseMultipart(String body, String boundary, ObjectNode params) {
    for (String part : body.split(Pattern.quote("--" + boundary))) {
      if (part.startsWith("--")) {
        break; // the closing delimiter
      }
      int headersEnd = part.indexOf("\r\n\r\n");
      if (headersEnd < 0) {
        continue;
      }
      String headers = part.substring(0, headersEnd);
      String value = part.substring(headersEnd + 4);
      if (value.endsWith("\r\n")) {
        value = value.substring(0, value.length() - 2);
      }
      Matcher name = PART_NAME.matcher(headers);
      if (!name.find()) {
        continue;
      }
      Matcher file = FILE_NAME.matcher(headers);
      params.put(name.group(1), file.find() ? file.group(1) : value);
    }
  }

  /** The message a sendMessage replies to, or null. */
  private static Integer replyTo(ObjectNode p) {
    JsonNode replyParameters = p.get("reply_parameters");
    if (replyParameters != null && replyParameters.isTextual()) {
      try {
        replyParameters = MAPPER.readTree(replyParameters.asText());
      } catch (JsonProcessingException notJson) {
        replyParameters = null;
      }
    }
    if (replyParameters != null && replyParameters.path("message_id").canConvertToInt()) {
      return replyParameters.path("message_id").asInt();
    }
    String old = str(p, "reply_to_message_id");
    try {
      return old == null ? null : Integer.valueOf(old.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String str(ObjectNode params, String name) {
    JsonNode node = params.get(name);
    if (node == null || node.isNull()) {
      return null;
    }
    return node.isValueNode() ? node.asText() : node.toString();
  }

  // ---------------------------------------------------------------- responses

  private static String error(ApiError e) {
    ObjectNode error = MAPPER.createObjectNode();
    error.put("ok", false).put("error_code", e.errorCode).put("description", e.getMessage());
    if (e.retryAfter != null) {
      error.putObject("parameters").put("retry_after", e.retryAfter);
    }
    return error.toString();
  }

  private static void respond(HttpExchange ex, int status, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  private static long now() {
    return Instant.now().getEpochSecond();
  }

  private static String lower(String method) {
    return method.toLowerCase(Locale.ROOT);
  }

  /**
   * Points a test application at a fake of its own: a new instance per application start, started
   * with the application and stopped with it, injected into the test class's {@link Injected}
   * fields.
   */
  public static final class Resource implements QuarkusTestResourceLifecycleManager {

    private final FakeBotApi bot = new FakeBotApi();

    @Override
    public Map<String, String> start() {
      return bot.gatewayConfig();
    }

    @Override
    public void inject(TestInjector testInjector) {
      inject(testInjector, bot);
    }

    /**
     * Puts {@code bot} into the test's fields marked {@link Injected}: for a test resource that
     * starts a fake of its own, from its {@code inject} (called for every test instance of the
     * classes that use the resource). Here rather than in {@link FakeBotApi}, so that the fake
     * itself loads without Quarkus (services run as processes, benchmarks).
     */
    public static void inject(TestInjector testInjector, FakeBotApi bot) {
      testInjector.injectIntoFields(
          bot, new TestInjector.AnnotatedAndMatchesType(Injected.class, FakeBotApi.class));
    }

    @Override
    public void stop() {
      bot.close();
    }
  }
}
