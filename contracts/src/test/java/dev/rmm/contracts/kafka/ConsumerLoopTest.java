package dev.rmm.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The loop's lifecycle, with a consumer that never reaches a broker (its polls come back empty): a
 * stopped loop starts again, a failing session is reported and restarted with a fresh consumer.
 */
class ConsumerLoopTest {

  private final AtomicInteger opened = new AtomicInteger();
  private final AtomicInteger polls = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final List<RuntimeException> reported = new CopyOnWriteArrayList<>();
  private volatile int failFirst;
  private ConsumerLoop loop;

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.stop();
    }
  }

  @Test
  void givenAStoppedLoop_whenStartedAgain_thenItPollsAgain() throws Exception {
    loop = loop();
    loop.start();
    loop.start(); // idempotent
    awaitPolls(3);
    loop.stop();
    assertThat(loop.isRunning()).isFalse();
    int after = polls.get();
    // a stopped loop polls no more (it polled every 10 ms while it ran)
    await()
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(5))
        .until(() -> polls.get() == after);
    assertThat(closed.get()).isEqualTo(1);

    loop.start();
    awaitPolls(after + 3);
    assertThat(opened.get()).isEqualTo(2);
  }

  @Test
  void givenASessionThatFails_thenTheFailureIsReportedAndAFreshConsumerTakesOver()
      throws Exception {
    failFirst = 2;
    loop = loop();
    loop.start();
    awaitPolls(5);
    assertThat(reported).hasSize(2).allSatisfy(e -> assertThat(e).hasMessage("boom"));
    assertThat(opened.get()).isEqualTo(3);
  }

  @Test
  void givenASessionThatKeepsFailing_whenItFailedThreeTimesInARow_thenItIsStuckAndToldOnce()
      throws Exception {
    List<ConsumerLoop.Progress> stuck = new CopyOnWriteArrayList<>();
    List<ConsumerLoop.Progress> recovered = new CopyOnWriteArrayList<>();
    failFirst = 6;
    loop = loop().whenStuck(3, stuck::add, recovered::add);
    assertThat(loop.progress().stuck()).isFalse();
    loop.start();
    awaitPolls(8); // six failures, then polls that hand over no records

    assertThat(reported).hasSize(6);
    assertThat(stuck).hasSize(1);
    assertThat(stuck.get(0).consecutiveFailures()).isEqualTo(3);
    assertThat(stuck.get(0).failingSince()).isNotNull();
    ConsumerLoop.Progress now = loop.progress();
    assertThat(now.stuck()).isTrue();
    assertThat(now.consecutiveFailures()).isEqualTo(6);
    assertThat(now.lastError()).isEqualTo("boom");
    assertThat(now.lastBatchAt()).isNull();
    // polls without records are no progress: it stays stuck, and nobody is told it recovered
    assertThat(recovered).isEmpty();
  }

  @Test
  void givenAStuckLoop_whenStartedAgain_thenItStartsUnstuck() throws Exception {
    failFirst = 3;
    loop = loop().whenStuck(3, p -> {}, p -> {});
    loop.start();
    awaitPolls(4);
    assertThat(loop.progress().stuck()).isTrue();
    loop.stop();

    loop.start();
    assertThat(loop.progress()).isEqualTo(new ConsumerLoop.Progress(false, 0, null, null, null));
  }

  @Test
  void givenTheDefaultSettings_whenASessionFailedTwiceInARow_thenItIsNotStuckYet()
      throws Exception {
    failFirst = ConsumerLoop.DEFAULT_FAILURES_BEFORE_STUCK - 1;
    loop = loop();
    loop.start();
    awaitPolls(ConsumerLoop.DEFAULT_FAILURES_BEFORE_STUCK + 1);
    assertThat(loop.progress().stuck()).isFalse();
    assertThat(loop.progress().consecutiveFailures())
        .isEqualTo(ConsumerLoop.DEFAULT_FAILURES_BEFORE_STUCK - 1);
  }

  private ConsumerLoop loop() {
    Properties p = LogConsumers.properties("127.0.0.1:1");
    return new ConsumerLoop(
        "test-loop",
        p,
        new ConsumerLoop.Session() {
          @Override
          public void open(KafkaConsumer<String, byte[]> consumer) {
            opened.incrementAndGet();
            consumer.assign(List.of(new TopicPartition("nowhere", 0)));
          }

          @Override
          public void handle(
              KafkaConsumer<String, byte[]> consumer, ConsumerRecords<String, byte[]> records) {
            polls.incrementAndGet();
            if (failFirst > 0) {
              failFirst--;
              throw new IllegalStateException("boom");
            }
          }

          @Override
          public void closed() {
            closed.incrementAndGet();
          }
        },
        Duration.ofMillis(10),
        Duration.ofMillis(20),
        Duration.ofSeconds(5),
        reported::add);
  }

  // Each failed session opens a new KafkaConsumer, which takes seconds on a loaded 2-core machine
  // (it failed at 10 s with a load average of 27): a generous bound, not a timing assertion.
  private void awaitPolls(int n) {
    await()
        .alias(n + " polls")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> polls.get() >= n);
  }
}
