package dev.rmm.projector;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The live projection's writer thread: it writes one batch (folds it into the release rows, stores
 * it and commits) while the polling thread reads and decodes the next, so a batch costs about the
 * larger of the JVM's and Postgres' time instead of their sum.
 *
 * <p>One batch at a time: {@link #submit} is only called after {@link #await} has returned for the
 * previous batch, so a batch's transaction begins after the previous one has committed, and the
 * rows kept between batches ({@link ReleaseRowCache}) are only ever used by one batch at a time, on
 * this thread. Used by the polling thread only.
 */
final class BatchPipeline {

  private final ExecutorService writer;
  private Future<Boolean> inFlight;

  BatchPipeline(String threadName) {
    this.writer =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts writing a batch on the writer thread; {@code write} answers whether it wrote it (false:
   * it was left for a later read).
   */
  void submit(Callable<Boolean> write) {
    if (inFlight != null) {
      throw new IllegalStateException("a batch is in flight: await it first");
    }
    inFlight = writer.submit(write);
  }

  /** Whether a batch was submitted and not awaited yet. */
  boolean busy() {
    return inFlight != null;
  }

  /**
   * Waits for the batch in flight, if any. Answers whether it was written (false when none was in
   * flight or it was left out); its failure is thrown here as it was thrown on the writer thread,
   * so the polling loop logs and counts it as its own.
   */
  boolean await() {
    Future<Boolean> f = inFlight;
    if (f == null) {
      return false;
    }
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("writing a batch failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while a batch was written", e);
    } finally {
      inFlight = null;
    }
  }

  /** Stops the writer thread after the batch in flight. */
  void shutdown() {
    writer.shutdown();
  }
}
