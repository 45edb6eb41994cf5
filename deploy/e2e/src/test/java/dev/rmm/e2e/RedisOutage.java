package dev.rmm.e2e;

import java.time.Duration;
import java.util.List;

/**
 * Redis (the gateway's de-duplication keys and sessions) stopped for a while under load, then
 * started again, empty, on its port. The Telegram presses pushed meanwhile must not be lost: each
 * is answered once Redis is back ({@link Verdict}: every press answered).
 */
final class RedisOutage implements Fault {

  private final StackExtension stack;
  private final Duration outage;

  RedisOutage(StackExtension stack, Duration outage) {
    this.stack = stack;
    this.outage = outage;
  }

  @Override
  public String name() {
    return "Redis stopped for " + outage.toSeconds() + " s";
  }

  @Override
  public List<String> inject(ChaosLoad load) throws InterruptedException {
    Thread.sleep(1500);
    stack.stack().redis().stop();
    try {
      Thread.sleep(outage.toMillis());
    } finally {
      stack.stack().redis().start();
    }
    return List.of();
  }
}
