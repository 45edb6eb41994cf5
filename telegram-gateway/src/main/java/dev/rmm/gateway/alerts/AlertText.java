package dev.rmm.gateway.alerts;

import dev.rmm.contracts.ops.Alert;
import dev.rmm.gateway.Texts;
import dev.rmm.gateway.Texts.Language;

/**
 * The alerts chat's message for an alert, in Telegram's HTML parse mode (everything that comes from
 * an alert is escaped): what failed, the release when known, the trace id, links to Grafana when
 * its URL is configured, the AI note once it came (probable cause and next step: untrusted text,
 * escaped and clipped so the message stays within Telegram's 4096 characters), and, once the same
 * failure repeated, the count ("🔁 ×12") as the last line.
 */
public final class AlertText {

  private static final int MAX_SUMMARY = 300;

  /** Telegram's limit for a message's text (counted after parsing: the HTML is never shorter). */
  static final int MAX_TEXT = 4096;

  private AlertText() {}

  /**
   * @param count how often the failure happened in the window; 1 shows no counter
   * @param grafanaUrl Grafana's base URL, or null for no links
   */
  public static String html(Alert a, long count, String grafanaUrl, Language lang) {
    return html(a, count, grafanaUrl, lang, null);
  }

  /**
   * @param note the AI note for the failure, or null for none: plain text from a model, escaped
   *     here and clipped to the room the rest of the message leaves
   */
  public static String html(Alert a, long count, String grafanaUrl, Language lang, String note) {
    StringBuilder b = new StringBuilder();
    b.append("<b>").append(escape(title(a.kind(), lang))).append("</b>");
    b.append('\n').append(escape(clip(a.summary())));
    if (a.service() != null || a.releaseId() != null) {
      b.append("\n📦 ");
      String name = join(a.service(), a.tag());
      b.append(escape(name));
      if (a.releaseId() != null) {
        b.append(name.isEmpty() ? "" : " · ")
            .append("<code>")
            .append(escape(shortId(a.releaseId())));
        b.append("</code>");
      }
    }
    if (a.detail() != null && !a.detail().isBlank()) {
      b.append("\n💬 ").append(escape(a.detail()));
    }
    b.append('\n').append(escape(Texts.ALERT_SOURCE.in(lang, a.source())));
    if (a.traceId() != null) {
      b.append('\n')
          .append(escape(Texts.ALERT_TRACE.in(lang)))
          .append(" <code>")
          .append(escape(a.traceId()))
          .append("</code>");
    }
    String needle = a.traceId() != null ? a.traceId() : a.releaseId();
    if (grafanaUrl != null && !grafanaUrl.isBlank() && needle != null) {
      b.append("\n🔗 ");
      if (a.traceId() != null) {
        b.append(link(GrafanaLinks.trace(grafanaUrl, a.traceId(), a.occurredAt())))
            .append(escape(Texts.ALERT_LINK_TRACE.in(lang)))
            .append("</a> · ");
      }
      b.append(link(GrafanaLinks.logs(grafanaUrl, needle, a.occurredAt())))
          .append(escape(Texts.ALERT_LINK_LOGS.in(lang)))
          .append("</a>");
    }
    String counter = count > 1 ? "\n🔁 ×" + count : "";
    if (note != null && !note.isBlank()) {
      String head = "\n\n<b>" + escape(Texts.ALERT_AI_NOTE.in(lang)) + "</b>\n<i>";
      String tail = "</i>";
      int room = MAX_TEXT - b.length() - counter.length() - head.length() - tail.length();
      if (room > 0) {
        String text = escapeWithin(note.strip(), room);
        if (!text.isEmpty()) {
          b.append(head).append(text).append(tail);
        }
      }
    }
    return b.append(counter).toString();
  }

  /**
   * {@code text} escaped, cut (with "…", never inside a character or an entity) so that the escaped
   * text has at most {@code room} characters; empty when not even a character fits.
   */
  static String escapeWithin(String text, int room) {
    String all = escape(text);
    if (all.length() <= room) {
      return all;
    }
    if (room <= 0) {
      return "";
    }
    int keep = Math.min(text.length(), room - 1);
    while (true) {
      int end = keep > 0 && Character.isHighSurrogate(text.charAt(keep - 1)) ? keep - 1 : keep;
      String cut = escape(text.substring(0, end)) + "…";
      if (cut.length() <= room) {
        return cut;
      }
      if (end == 0) {
        return "";
      }
      keep = Math.max(0, end - Math.max(1, cut.length() - room));
    }
  }

  /** The first 8 characters of a release id: enough to find it, short enough to read. */
  static String shortId(String releaseId) {
    return releaseId.length() > 8 ? releaseId.substring(0, 8) : releaseId;
  }

  /** Text for Telegram's HTML parse mode: {@code & < > "} as entities. */
  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  private static String link(String url) {
    return "<a href=\"" + escape(url) + "\">";
  }

  private static String title(String kind, Language lang) {
    switch (kind) {
      case Alert.CONSUMER_ERROR:
        return Texts.ALERT_CONSUMER_ERROR.in(lang);
      case Alert.DISPATCH_FAILED:
        return Texts.ALERT_DISPATCH_FAILED.in(lang);
      case Alert.ROLLBACK_FAILED:
        return Texts.ALERT_ROLLBACK_FAILED.in(lang);
      case Alert.PRODUCTION_FAILED:
        return Texts.ALERT_PRODUCTION_FAILED.in(lang);
      case Alert.STAGE_FAILED:
        return Texts.ALERT_STAGE_FAILED.in(lang);
      case Alert.STUCK_RELEASE:
        return Texts.ALERT_STUCK_RELEASE.in(lang);
      case Alert.BREAK_GLASS:
        return Texts.ALERT_BREAK_GLASS.in(lang);
      default:
        return Texts.ALERT_OTHER.in(lang, kind);
    }
  }

  private static String join(String service, String tag) {
    if (service == null) {
      return "";
    }
    return tag == null || tag.isEmpty() ? service : service + " " + tag;
  }

  private static String clip(String s) {
    String t = s.strip();
    return t.length() > MAX_SUMMARY ? t.substring(0, MAX_SUMMARY - 1) + "…" : t;
  }
}
