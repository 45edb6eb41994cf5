package dev.rmm.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.EventCodec;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The people who may look at the web console without approving anything: the policy file's
 * top-level {@code "viewers"}, a list of Telegram user ids ({@code "viewers": [1005, 1006]}), and
 * RMM_CONSOLE_VIEWERS. The rest of the policy file does not look at this field, so adding it
 * changes no decision and no policy event.
 */
final class ConsoleViewers {

  private ConsoleViewers() {}

  /**
   * The viewers a policy file names; none when it has no {@code "viewers"}.
   *
   * @throws IllegalArgumentException when the field is not a list of numeric ids
   */
  static Set<Long> ofPolicyFile(byte[] json) {
    JsonNode root;
    try {
      root = EventCodec.mapper().readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException("the policy file is not valid JSON", e);
    }
    JsonNode viewers = root == null ? null : root.get("viewers");
    Set<Long> out = new LinkedHashSet<>();
    if (viewers == null || viewers.isNull()) {
      return out;
    }
    if (!viewers.isArray()) {
      throw new IllegalArgumentException("'viewers' is a list of numeric Telegram user ids");
    }
    for (JsonNode v : viewers) {
      if (!(v.isIntegralNumber() && v.canConvertToLong())
          && !(v.isTextual() && v.asText().matches("[0-9]{1,18}"))) {
        throw new IllegalArgumentException("'viewers' holds numeric Telegram user ids only");
      }
      out.add(v.asLong());
    }
    return out;
  }

  /** The ids of RMM_CONSOLE_VIEWERS ({@code 1005,1006}). */
  static Set<Long> ofSetting(String spec) {
    Set<Long> out = new LinkedHashSet<>();
    for (String item : spec.split(",")) {
      if (!item.isBlank()) {
        try {
          out.add(Long.parseLong(item.strip()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "RMM_CONSOLE_VIEWERS is a comma-separated list of numeric Telegram user ids", e);
        }
      }
    }
    return out;
  }
}
