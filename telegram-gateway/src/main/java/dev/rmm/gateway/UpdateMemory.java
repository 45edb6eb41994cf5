package dev.rmm.gateway;

import io.quarkus.redis.datasource.RedisDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Remembers which Telegram updates were handled, in Redis, so a redelivered update (after a
 * restart, a network error or on another gateway instance) is ignored.
 *
 * <p>An update is first claimed (for {@link #CLAIM}, long enough for any handling), and marked
 * handled once it was: an update whose handling failed is released and handled again when Telegram
 * redelivers it, and a redelivery that arrives while another worker or instance still handles the
 * update is told to come back later rather than taken for a duplicate.
 *
 * <p>A claim names the gateway instance that made it, and each running instance keeps a key saying
 * it is alive ({@link #ALIVE}, renewed every {@link #RENEW}). A claim whose instance is no longer
 * alive (killed while handling: kill -9, out of memory, a lost host) is taken over by the next
 * delivery of its update. Without this the update waited for the whole claim, and long polling,
 * which never moves its offset past an unhandled update, held back every update after it too (F10
 * in docs/reliability.md).
 */
@ApplicationScoped
public class UpdateMemory {

  private static final Logger LOG = Logger.getLogger(UpdateMemory.class);

  /**
   * How long a claim holds: longer than handling an update may take (a command's answer, retries).
   */
  public static final Duration CLAIM = Duration.ofMinutes(2);

  /**
   * How long an instance counts as alive after its last renewal: after a kill, its claims are taken
   * over within this. Several renewals long, so a loaded machine or a GC pause does not make a live
   * instance look dead (its update would then be handled twice at once).
   */
  public static final Duration ALIVE = Duration.ofSeconds(10);

  /** How often a running instance renews its alive key. */
  static final Duration RENEW = Duration.ofSeconds(2);

  private static final String ALIVE_PREFIX = "rmm:tg:gateway-alive:";

  /**
   * Claims the update for instance ARGV[2]: returns "claimed", "taken-over" (the instance that had
   * claimed it is not alive), or the value already there ("pending[:instance]" or handled). The
   * alive key is read by name inside the script, as a single Redis (not a cluster) allows.
   */
  private static final String CLAIM_SCRIPT =
      "local v = redis.call('GET', KEYS[1])\n"
          + "if v then\n"
          + "  local owner = string.match(v, '^pending:(.+)$')\n"
          + "  if owner == nil or owner == ARGV[2]"
          + " or redis.call('EXISTS', ARGV[3] .. owner) == 1 then return v end\n"
          + "end\n"
          + "redis.call('SET', KEYS[1], 'pending:' .. ARGV[2], 'PX', ARGV[1])\n"
          + "if v then return 'taken-over' end\n"
          + "return 'claimed'";

  /** What a claim found. */
  public enum Claim {
    /**
     * Seen for the first time, released after a failure, or left by an instance that is gone:
     * handle it.
     */
    FIRST,
    /** Handled before: ignore it. */
    HANDLED,
    /** Being handled right now, here or by another live instance: try again later. */
    BUSY
  }

  private final RedisDataSource redis;
  private final long ttlSeconds;

  /** This instance, in its claims and its alive key. */
  private final String instance = UUID.randomUUID().toString();

  private ScheduledExecutorService renewals;

  UpdateMemory(RedisDataSource redis, GatewayConfig config) {
    this.redis = redis;
    this.ttlSeconds = config.telegram().updateMemory().toSeconds();
  }

  /**
   * Says this instance is alive, and keeps saying it, before it takes updates. While Redis does not
   * answer, claims fail too, so a missed renewal is only logged.
   */
  public synchronized void start() {
    if (renewals != null) {
      return;
    }
    renewals =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rmm-telegram-alive");
              t.setDaemon(true);
              return t;
            });
    renew(); // before the first claim
    renewals.scheduleWithFixedDelay(
        this::renew, RENEW.toMillis(), RENEW.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stops saying this instance is alive and removes its alive key, so a claim it still holds (an
   * update whose handling the shutdown cut short) is taken over at once by the next delivery.
   */
  public synchronized void stop() {
    if (renewals == null) {
      return;
    }
    renewals.shutdownNow();
    renewals = null;
    try {
      redis.execute("DEL", ALIVE_PREFIX + instance);
    } catch (RuntimeException e) {
      LOG.debugf("The alive key of this gateway expires by itself: %s", e.getMessage());
    }
  }

  private void renew() {
    try {
      redis.execute("SET", ALIVE_PREFIX + instance, "1", "PX", Long.toString(ALIVE.toMillis()));
    } catch (RuntimeException e) {
      LOG.debugf("Could not renew this gateway's alive key: %s", e.getMessage());
    }
  }

  /**
   * Claims an update for handling.
   *
   * @throws RuntimeException when Redis is unavailable: nothing was recorded
   */
  public Claim claim(int updateId) {
    String found =
        redis
            .execute(
                "EVAL",
                CLAIM_SCRIPT,
                "1",
                key(updateId),
                Long.toString(CLAIM.toMillis()),
                instance,
                ALIVE_PREFIX)
            .toString();
    if (found.equals("taken-over")) {
      LOG.infof(
          "Update %d was claimed by a gateway instance that is no longer running (killed or stopped"
              + " while handling it); it is handled here",
          updateId);
      return Claim.FIRST;
    }
    if (found.equals("claimed")) {
      return Claim.FIRST;
    }
    return found.startsWith("pending") ? Claim.BUSY : Claim.HANDLED;
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
