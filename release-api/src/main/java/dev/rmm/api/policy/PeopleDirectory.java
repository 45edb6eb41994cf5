package dev.rmm.api.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The policy file's {@code people} directory (issue 15 point 3): the GitHub logins of each person,
 * by Telegram user id, written once for every service. "The initiator may not approve" used to work
 * only when each approver of each service had a {@code github_login}; with the directory, the
 * release's initiator (the OIDC token's actor, or the reported initiator) is recognised by any of
 * the person's logins wherever they approve.
 *
 * <pre>"people": [{"telegram_id": 1003, "github_logins": ["carol", "carol-work"]}]</pre>
 *
 * A login belongs to one person: a login given to two people, or given to one person here and to
 * another approver as their {@code github_login}, is refused (either could otherwise approve a
 * release the other started, or be barred from one they did not).
 */
final class PeopleDirectory {

  /** The most logins one person may list. */
  private static final int MAX_LOGINS = 20;

  private PeopleDirectory() {}

  /**
   * The directory: each person's logins by Telegram user id; empty when the file has none.
   *
   * @throws IllegalArgumentException saying what is wrong, never repeating a bad text raw
   */
  static Map<Long, List<String>> parse(JsonNode people) {
    if (people == null || people.isNull()) {
      return Map.of();
    }
    if (!people.isArray()) {
      throw new IllegalArgumentException(
          "'people' is a list of {\"telegram_id\": ..., \"github_logins\": [...]}");
    }
    Map<Long, List<String>> out = new LinkedHashMap<>();
    Map<String, Long> owner = new HashMap<>();
    for (JsonNode person : people) {
      JsonNode id = person.path("telegram_id");
      if (!PolicyRegistry.isId(id)) {
        throw new IllegalArgumentException("every person needs a numeric 'telegram_id'");
      }
      long telegramId = id.asLong();
      if (out.containsKey(telegramId)) {
        throw new IllegalArgumentException("'people' lists the person " + telegramId + " twice");
      }
      JsonNode logins = person.path("github_logins");
      if (!logins.isArray() || logins.isEmpty() || logins.size() > MAX_LOGINS) {
        throw new IllegalArgumentException(
            "'github_logins' of person "
                + telegramId
                + " is a list of 1 to "
                + MAX_LOGINS
                + " GitHub logins");
      }
      List<String> own = new ArrayList<>();
      for (JsonNode login : logins) {
        String l = login.isTextual() ? login.asText() : null;
        if (l != null) {
          TextRules.check("github_logins", l, Kind.LINE)
              .ifPresent(
                  p -> {
                    throw new IllegalArgumentException(p + " (person " + telegramId + ")");
                  });
        }
        if (l == null || !PolicyRegistry.isGithubLogin(l)) {
          throw new IllegalArgumentException(
              "'github_logins' of person "
                  + telegramId
                  + " holds GitHub logins: letters, digits and hyphens, at most 39");
        }
        Long before = owner.putIfAbsent(l.toLowerCase(Locale.ROOT), telegramId);
        if (before != null && before != telegramId) {
          throw new IllegalArgumentException(
              "the GitHub login "
                  + l
                  + " is given to two people, "
                  + before
                  + " and "
                  + telegramId);
        }
        own.add(l);
      }
      out.put(telegramId, List.copyOf(own));
    }
    return out;
  }

  /**
   * The approver with the logins the directory gives them; refused when the approver's own {@code
   * github_login} is another person's in the directory.
   */
  static Approver withLogins(Approver approver, Map<Long, List<String>> people) {
    String own = approver.githubLogin();
    if (own != null) {
      people.forEach(
          (id, logins) -> {
            if (id != approver.telegramId() && logins.stream().anyMatch(own::equalsIgnoreCase)) {
              throw new IllegalArgumentException(
                  "the 'github_login' of approver "
                      + approver.telegramId()
                      + " is the login of person "
                      + id
                      + " in 'people'");
            }
          });
    }
    List<String> logins = people.get(approver.telegramId());
    return logins == null ? approver : approver.withGithubLogins(logins);
  }
}
