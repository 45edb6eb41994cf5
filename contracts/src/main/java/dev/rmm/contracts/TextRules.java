package dev.rmm.contracts;

import java.util.Locale;
import java.util.Optional;

/**
 * The one rule for text that may enter the release log. A NUL stopped the read model for good (the
 * projector's Postgres refuses it), and control or bidirectional characters let a tag or a reason
 * look different on a card from what it is. So a text field may not contain:
 *
 * <ul>
 *   <li>a C0 control character (U+0000-U+001F), DEL (U+007F) or a C1 control character
 *       (U+0080-U+009F); only free text (reasons, step details) may hold a line feed or a tab;
 *   <li>a surrogate that is not half of a pair (it is no character and has no UTF-8 form);
 *   <li>a bidirectional control: U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069.
 * </ul>
 *
 * The HTTP API answers a breach with 422 and the decider refuses such commands from other services,
 * both with the message of {@link #check}, which names the field and the code point and never
 * repeats the character itself.
 */
public final class TextRules {

  /** What a field may hold besides printable text. */
  public enum Kind {
    /** A name, id, tag, URL: one line, no control character at all. */
    LINE,
    /** Free text written by a person (a reason, a step detail): line feeds and tabs allowed. */
    FREE_TEXT
  }

  private TextRules() {}

  /**
   * Why {@code value} may not be the value of {@code field}, e.g. {@code "'tag' contains the
   * control character U+0000"}; empty when it may (null is allowed: whether a field is required is
   * another rule).
   */
  public static Optional<String> check(String field, String value, Kind kind) {
    if (value == null) {
      return Optional.empty();
    }
    int i = firstForbidden(value, kind);
    if (i < 0) {
      return Optional.empty();
    }
    int cp = value.codePointAt(i);
    return Optional.of("'" + field + "' contains " + describe(cp));
  }

  /** Whether every code point of {@code value} is allowed in a field of this kind. */
  public static boolean allows(String value, Kind kind) {
    return value == null || firstForbidden(value, kind) < 0;
  }

  /**
   * The text with every forbidden code point (for {@link Kind#LINE}) written as {@code U+XXXX}: for
   * echoing untrusted input, e.g. a parser's message, in an answer or a log line.
   */
  public static String escape(String value) {
    if (value == null || allows(value, Kind.LINE)) {
      return value;
    }
    StringBuilder out = new StringBuilder(value.length() + 16);
    for (int i = 0; i < value.length(); ) {
      boolean lone = isLoneSurrogateAt(value, i);
      int cp = lone ? value.charAt(i) : value.codePointAt(i);
      if (lone || forbidden(cp, Kind.LINE)) {
        out.append(codePoint(cp));
      } else {
        out.appendCodePoint(cp);
      }
      i += lone ? 1 : Character.charCount(cp);
    }
    return out.toString();
  }

  /** {@code U+0000}: how this class names a code point. */
  public static String codePoint(int cp) {
    return "U+" + String.format(Locale.ROOT, "%04X", cp);
  }

  private static int firstForbidden(String value, Kind kind) {
    for (int i = 0; i < value.length(); ) {
      if (isLoneSurrogateAt(value, i)) {
        return i;
      }
      int cp = value.codePointAt(i);
      if (forbidden(cp, kind)) {
        return i;
      }
      i += Character.charCount(cp);
    }
    return -1;
  }

  private static boolean isLoneSurrogateAt(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
    }
    return Character.isLowSurrogate(c);
  }

  private static boolean forbidden(int cp, Kind kind) {
    if (kind == Kind.FREE_TEXT && (cp == '\n' || cp == '\t')) {
      return false;
    }
    return isControl(cp) || isBidiControl(cp);
  }

  private static boolean isControl(int cp) {
    return cp <= 0x1F || (cp >= 0x7F && cp <= 0x9F);
  }

  private static boolean isBidiControl(int cp) {
    return cp == 0x061C
        || cp == 0x200E
        || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x2066 && cp <= 0x2069);
  }

  private static String describe(int cp) {
    if (Character.isSurrogate((char) cp) && cp <= 0xFFFF) {
      return "the unpaired surrogate " + codePoint(cp);
    }
    if (isBidiControl(cp)) {
      return "the bidirectional control character " + codePoint(cp);
    }
    return "the control character " + codePoint(cp);
  }
}
