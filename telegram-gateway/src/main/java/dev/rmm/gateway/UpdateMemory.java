package dev.rmm.gateway;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Remembers which Telegram updates were handled, in Redis, so a redelivered update (after a
 * restart, a network error or on another gateway instance) is ignored.
 */
@ApplicationScoped
public class UpdateMemory {

  private final RedisDataSource redis;
  private final long ttlSeconds;

  UpdateMemory(RedisDataSource redis, GatewayConfig config) {
    this.redis = redis;
    this.ttlSeconds = config.telegram().updateMemory().toSeconds();
  }

  /** True the first time an update id is seen, false for every repeat within the memory window. */
  public boolean firstTime(int updateId) {
    var answer =
        redis.execute(
            "SET", "rmm:tg:update:" + updateId, "1", "NX", "EX", Long.toString(ttlSeconds));
    return answer != null;
  }
}
