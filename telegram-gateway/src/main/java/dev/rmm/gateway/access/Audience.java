package dev.rmm.gateway.access;

import dev.rmm.gateway.GatewayConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Who may see the bot's menus, lists and cards: the configured viewers, the approvers and admins of
 * the services' approval policies ({@link PolicyPeople}), and the members of the team chat ({@link
 * TeamMembership}). Release data names hosts, people and failures, so a stranger sees none of it.
 *
 * <p>The answer is kept in Redis for {@code rmm.telegram.access-cache-ttl} (shared by the gateway
 * instances), so Telegram and the read model are asked at most once per user in that time, and a
 * change (someone joins or leaves the team chat, a new policy) counts within it.
 */
@ApplicationScoped
public class Audience {

  private static final Logger LOG = Logger.getLogger(Audience.class);

  private final Set<Long> viewers;
  private final Optional<Long> teamChat;
  private final long ttlSeconds;
  private final ValueCommands<String, String> values;
  private final PolicyPeople policy;
  private final TeamMembership team;

  Audience(GatewayConfig config, RedisDataSource redis, PolicyPeople policy, TeamMembership team) {
    this.viewers = Set.copyOf(config.telegram().viewers().orElse(List.of()));
    this.teamChat = config.telegram().teamChatId();
    this.ttlSeconds = Math.max(1, config.telegram().accessCacheTtl().toSeconds());
    this.values = redis.value(String.class);
    this.policy = policy;
    this.team = team;
  }

  /** Whether someone may see releases. */
  public enum Verdict {
    ADMITTED,
    REFUSED,
    /**
     * Not known now: Telegram or the read model did not answer, and neither admitted them. Nothing
     * is remembered; the user is told to try again later.
     */
    UNKNOWN
  }

  /**
   * Whether this Telegram user may see releases.
   *
   * @throws RuntimeException when Redis did not answer: the update is handled again later
   */
  public Verdict verdict(long userId) {
    if (viewers.contains(userId)) {
      return Verdict.ADMITTED;
    }
    String key = "rmm:tg:access:" + userId;
    String known = values.get(key);
    if (known != null) {
      return known.equals("1") ? Verdict.ADMITTED : Verdict.REFUSED;
    }
    boolean unknown = false;
    // the team chat first: most users are in it, and the read model is then not asked
    if (teamChat.isPresent()) {
      try {
        if (team.isMember(teamChat.get(), userId)) {
          return remember(key, Verdict.ADMITTED);
        }
      } catch (RuntimeException e) {
        unknown = true;
        LOG.warnf(
            "Cannot tell whether Telegram user %d is in the team chat: %s", userId, e.getMessage());
      }
    }
    try {
      if (policy.isApproverOrAdmin(userId)) {
        return remember(key, Verdict.ADMITTED);
      }
    } catch (RuntimeException e) {
      unknown = true;
      LOG.warnf(
          "Cannot tell whether Telegram user %d is an approver or admin: the read model did not"
              + " answer (%s). They are told to try again later; check Postgres.",
          userId, e.getMessage());
    }
    return unknown ? Verdict.UNKNOWN : remember(key, Verdict.REFUSED);
  }

  private Verdict remember(String key, Verdict v) {
    values.set(key, v == Verdict.ADMITTED ? "1" : "0", new SetArgs().ex(ttlSeconds));
    return v;
  }
}
