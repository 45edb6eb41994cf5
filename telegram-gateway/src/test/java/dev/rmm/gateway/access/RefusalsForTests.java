package dev.rmm.gateway.access;

import dev.rmm.gateway.GatewayConfig;
import dev.rmm.gateway.bot.Cards;
import dev.rmm.gateway.bot.Replies;
import dev.rmm.gateway.commands.CommandClient;
import io.quarkus.redis.datasource.RedisDataSource;

/** Makes the real Refusals for a unit test outside this package (its constructor is CDI's). */
public final class RefusalsForTests {

  private RefusalsForTests() {}

  public static Refusals of(
      RedisDataSource redis,
      Replies replies,
      CommandClient commands,
      Cards cards,
      GatewayConfig config) {
    return new Refusals(redis, replies, commands, cards, config);
  }
}
