package dev.rmm.projector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.rmm.contracts.EventCodec;
import java.util.Iterator;
import java.util.Map;

/**
 * The one place where a string of the log becomes a string Postgres can hold. Postgres {@code text}
 * and {@code jsonb} cannot hold U+0000 (text fails with {@code invalid byte sequence for encoding
 * "UTF8": 0x00}, jsonb refuses the JSON escape {@code \u0000}), and a lone UTF-16 surrogate has no
 * UTF-8 form at all (each driver would write its own '?'). The log may hold both: events written
 * before the API refused control characters, or a forged write. A reader must never stop on them,
 * so every text value and every string inside a JSON value the projector writes goes through here:
 * each NUL and each lone surrogate becomes U+FFFD, the Unicode replacement character, and nothing
 * else changes (other control characters, bidi controls and any length are kept as they are).
 *
 * <p>The mapping is deterministic and idempotent, so the live projection, which reads rows back and
 * writes them again, and a rebuild, which writes them once, produce identical rows. It is lossy on
 * purpose: the read model is a view; the exact bytes stay in the log (and in the hash chain), where
 * the timeline's replay and the audit read them.
 */
final class PgText {

  /** What stands for a character Postgres cannot hold. */
  static final char REPLACEMENT = '\uFFFD';

  private PgText() {}

  /** {@code s} with every NUL and lone surrogate replaced by U+FFFD; null stays null. */
  static String text(String s) {
    if (s == null) {
      return null;
    }
    int first = firstUnfit(s, 0);
    if (first < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder(s.length()).append(s, 0, first);
    int i = first;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        b.append(c).append(s.charAt(i + 1));
        i += 2;
      } else {
        b.append(c == 0 || Character.isSurrogate(c) ? REPLACEMENT : c);
        i++;
      }
    }
    return b.toString();
  }

  /** The longest id kept as it is; a key much longer would not fit a btree index entry. */
  static final int MAX_ID = 200;

  /** Characters of a shortened id kept before its hash. */
  private static final int ID_PREFIX = 100;

  /**
   * An id (release id, event id: indexed columns) as {@link #text} makes it, and when longer than
   * {@link #MAX_ID} characters, its first 100 characters, U+2026 and the SHA-256 of the whole in
   * hex: unique as the id was, short enough for any index, and unchanged when fitted again (the
   * live projection reads its keys back). Ids the API writes are UUIDs; only a forged or very old
   * event can hold a longer one.
   */
  static String id(String s) {
    String t = text(s);
    if (t == null || t.length() <= MAX_ID) {
      return t;
    }
    int end = Character.isHighSurrogate(t.charAt(ID_PREFIX - 1)) ? ID_PREFIX - 1 : ID_PREFIX;
    try {
      byte[] hash =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(t.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return t.substring(0, end) + '\u2026' + java.util.HexFormat.of().formatHex(hash);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /** The JSON text of {@code node} with every string in it (names and values) made fit. */
  static String json(JsonNode node) {
    if (node == null) {
      return null;
    }
    return fits(node) ? node.toString() : fit(node).toString();
  }

  /**
   * The JSON text of {@code value} (an event's data) as the event codec's mapper writes it, with
   * every string in it made fit: the text is written once, straight from the record, and only when
   * it holds an escaped NUL or a lone surrogate is it made again through a tree by {@link
   * #json(JsonNode)} (Jackson writes a NUL as the escape {@code \u0000} and a lone surrogate as it
   * is). Going through a tree for every event cost the projector a sixth of its CPU.
   */
  static String jsonOf(Object value) {
    if (value == null) {
      return null;
    }
    String text;
    try {
      text = EventCodec.mapper().writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName(), e);
    }
    // a false alarm (a string holding a backslash then u0000) only takes the slower way
    if (!text.contains("\\u0000") && firstUnfit(text, 0) < 0) {
      return text;
    }
    return json(EventCodec.mapper().valueToTree(value));
  }

  /** Whether no string in {@code n} (names and values) holds a NUL or a lone surrogate. */
  private static boolean fits(JsonNode n) {
    if (n.isTextual()) {
      return firstUnfit(n.textValue(), 0) < 0;
    }
    if (n.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (firstUnfit(f.getKey(), 0) >= 0 || !fits(f.getValue())) {
          return false;
        }
      }
      return true;
    }
    if (n.isArray()) {
      for (JsonNode v : n) {
        if (!fits(v)) {
          return false;
        }
      }
    }
    return true;
  }

  private static JsonNode fit(JsonNode n) {
    if (n.isTextual()) {
      String t = text(n.textValue());
      return t == n.textValue() ? n : TextNode.valueOf(t);
    }
    if (n.isObject()) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        o.set(text(f.getKey()), fit(f.getValue()));
      }
      return o;
    }
    if (n.isArray()) {
      ArrayNode a = JsonNodeFactory.instance.arrayNode(n.size());
      n.forEach(v -> a.add(fit(v)));
      return a;
    }
    return n;
  }

  /** The index of the first NUL or lone surrogate at or after {@code from}, or -1. */
  private static int firstUnfit(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) {
        return i;
      }
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }
}
