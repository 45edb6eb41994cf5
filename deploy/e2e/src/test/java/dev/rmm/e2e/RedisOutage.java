package dev.rmm.e2e;

import java.time.Duration;
import java.util.List;

/**
 * Redis (the gateway's de-duplication keys and sessions) stopped for a while under load, then
 * started again, empty, on its port. The Telegram presses pushed meanwhile must not be lost: each
 * is answered once Redis is back ({@link Verdict}: every press answered); nor the alerts raised
 * meanwhile (the gateway counts them in Redis): each reaches the alerts chat, once, with its count
 * ({@link AlertProbe}).
 */
final class RedisOutage implements Fault {

  private final StackExtension stack;
  private final Duration outage;
  private AlertProbe probe;

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
    probe = new AlertProbe(stack.kafkaBootstrapServers());
    long stopped = System.nanoTime();
    stack.stack().redis().stop();
    try {
      probe.raise(load.trial(), "once");
      probe.raise(load.trial(), "repeated");
      probe.raise(load.trial(), "repeated");
      long left = outage.toNanos() - (System.nanoTime() - stopped);
      if (left > 0) {
        Thread.sleep(left / 1_000_000);
      }
    } finally {
      stack.stack().redis().start();
    }
    return List.of();
  }

  @Override
  public List<String> afterwards() {
    return probe == null ? List.of() : probe.check();
  }
}
