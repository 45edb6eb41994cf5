package dev.rmm.projector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer thread of the live projection: one batch at a time, its failure thrown as it was. */
class BatchPipelineTest {

  private final BatchPipeline pipeline = new BatchPipeline("test-writer");

  @AfterEach
  void tearDown() {
    pipeline.shutdown();
  }

  @Test
  void givenNothingInFlight_whenAwaited_thenNothingWasWritten() {
    assertThat(pipeline.await()).isFalse();
  }

  @Test
  void givenABatchWrittenOnTheWriterThread_whenAwaited_thenItsAnswerAndThreadAreSeen() {
    AtomicReference<String> thread = new AtomicReference<>();
    pipeline.submit(
        () -> {
          thread.set(Thread.currentThread().getName());
          return true;
        });
    assertThat(pipeline.await()).isTrue();
    assertThat(thread.get()).isEqualTo("test-writer");
    assertThat(pipeline.await()).as("awaited once").isFalse();
  }

  @Test
  void givenAWriteThatFails_whenAwaited_thenTheSameExceptionIsThrownOnce() {
    IllegalStateException failure = new IllegalStateException("column head_chained is gone");
    pipeline.submit(
        () -> {
          throw failure;
        });
    assertThatThrownBy(pipeline::await).isSameAs(failure);
    assertThat(pipeline.await()).isFalse();
  }

  @Test
  void givenABatchInFlight_whenAnotherIsSubmitted_thenItIsRefused() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    pipeline.submit(
        () -> {
          release.await();
          return true;
        });
    assertThatThrownBy(() -> pipeline.submit(() -> true)).isInstanceOf(IllegalStateException.class);
    release.countDown();
    assertThat(pipeline.await()).isTrue();
  }
}
