package dev.rmm.gateway.access;

import dev.rmm.gateway.GatewayConfig;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.SetArgs;
import io.quarkus.redis.datasource.value.ValueCommands;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

  /**
   * Whether this Telegram user may see releases.
   *
   * @throws RuntimeException when Redis, the read model or Telegram did not answer: the update is
   *     handled again later
   */
  public boolean admits(long userId) {
    if (viewers.contains(userId)) {
      return true;
    }
    String key = "rmm:tg:access:" + userId;
    String known = values.get(key);
    if (known != null) {
      return known.equals("1");
    }
    boolean admitted =
        policy.isApproverOrAdmin(userId)
            || teamChat.isPresent() && team.isMember(teamChat.get(), userId);
    values.set(key, admitted ? "1" : "0", new SetArgs().ex(ttlSeconds));
    return admitted;
  }
}
