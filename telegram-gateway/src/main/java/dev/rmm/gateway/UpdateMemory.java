package dev.rmm.gateway;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Remembers which Telegram updates were handled, in Redis, so a redelivered update (after a
 * restart, a network error or on another gateway instance) is ignored.
 *
 * <p>An update is first claimed (for {@link #CLAIM}, long enough for any handling), and marked
 * handled once it was: an update whose handling failed is released and handled again when Telegram
 * redelivers it, and a redelivery that arrives while another worker or instance still handles the
 * update is told to come back later rather than taken for a duplicate.
 */
@ApplicationScoped
public class UpdateMemory {

  /**
   * How long a claim holds: longer than handling an update may take (a command's answer, retries).
   */
  public static final Duration CLAIM = Duration.ofMinutes(2);

  /** Claims the update: returns "claimed", or the value already there ("pending" or handled). */
  private static final String CLAIM_SCRIPT =
      "local v = redis.call('GET', KEYS[1])\n"
          + "if v then return v end\n"
          + "redis.call('SET', KEYS[1], 'pending', 'PX', ARGV[1])\n"
          + "return 'claimed'";

  /** What a claim found. */
  public enum Claim {
    /** Seen for the first time (or released after a failure): handle it. */
    FIRST,
    /** Handled before: ignore it. */
    HANDLED,
    /** Being handled right now, here or by another instance: try again later. */
    BUSY
  }

  private final RedisDataSource redis;
  private final long ttlSeconds;

  UpdateMemory(RedisDataSource redis, GatewayConfig config) {
    this.redis = redis;
    this.ttlSeconds = config.telegram().updateMemory().toSeconds();
  }

  /**
   * Claims an update for handling.
   *
   * @throws RuntimeException when Redis is unavailable: nothing was recorded
   */
  public Claim claim(int updateId) {
    String found =
        redis
            .execute("EVAL", CLAIM_SCRIPT, "1", key(updateId), Long.toString(CLAIM.toMillis()))
            .toString();
    return switch (found) {
      case "claimed" -> Claim.FIRST;
      case "pending" -> Claim.BUSY;
      default -> Claim.HANDLED;
    };
  }

  /** The update was handled: its redeliveries within the memory window are ignored. */
  public void handled(int updateId) {
    redis.execute("SET", key(updateId), "1", "EX", Long.toString(ttlSeconds));
  }

  /** Handling failed before it did anything: the next delivery handles it again. */
  public void release(int updateId) {
    redis.execute("DEL", key(updateId));
  }

  private static String key(int updateId) {
    return "rmm:tg:update:" + updateId;
  }
}
