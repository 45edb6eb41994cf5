package dev.rmm.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.mutiny.Uni;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The service filter's names are read once per refresh interval, and a failed read is not kept. */
class ServiceNamesTest {

  private static final Duration REFRESH = Duration.ofSeconds(5);
  private static final Duration WAIT = Duration.ofSeconds(5);

  /** A clock the test moves by hand. */
  private static final class HandClock extends Clock {
    private Instant now = Instant.parse("2026-12-02T10:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  /** A read of the names that counts how often the read model was asked. */
  private static final class CountingRead implements Supplier<Uni<List<String>>> {
    final AtomicInteger reads = new AtomicInteger();
    volatile boolean failing;

    @Override
    public Uni<List<String>> get() {
      return Uni.createFrom()
          .item(
              () -> {
                int n = reads.incrementAndGet();
                if (failing) {
                  throw new IllegalStateException("read model down");
                }
                return List.of("billing", "shop-" + n);
              });
    }
  }

  @Test
  void givenManyBoardsWithinTheInterval_whenTheyAskForTheNames_thenTheReadModelIsAskedOnce() {
    CountingRead read = new CountingRead();
    HandClock clock = new HandClock();
    ServiceNames names = new ServiceNames(read, REFRESH, clock);

    for (int i = 0; i < 10; i++) {
      assertThat(names.get().await().atMost(WAIT)).containsExactly("billing", "shop-1");
      clock.advance(Duration.ofMillis(400));
    }

    assertThat(read.reads).hasValue(1);
  }

  @Test
  void givenTheIntervalPassed_whenTheNamesAreAsked_thenTheyAreReadAgain() {
    CountingRead read = new CountingRead();
    HandClock clock = new HandClock();
    ServiceNames names = new ServiceNames(read, REFRESH, clock);
    names.get().await().atMost(WAIT);

    clock.advance(REFRESH);

    assertThat(names.get().await().atMost(WAIT)).containsExactly("billing", "shop-2");
    assertThat(read.reads).hasValue(2);
  }

  @Test
  void givenAFailedRead_whenTheNamesAreAskedAgainAtOnce_thenTheReadIsTriedAgain() {
    CountingRead read = new CountingRead();
    HandClock clock = new HandClock();
    ServiceNames names = new ServiceNames(read, REFRESH, clock);
    read.failing = true;

    assertThatThrownBy(() -> names.get().await().atMost(WAIT)).hasMessage("read model down");
    read.failing = false;

    assertThat(names.get().await().atMost(WAIT)).containsExactly("billing", "shop-2");
    assertThat(read.reads).hasValue(2);
  }
}
