package dev.rmm.api.query;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.problem.InvalidRequestException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Read your writes. Every write answers with the release's {@code version}; the read model
 * (release-projector) reaches it a few milliseconds later. A query that passes {@code min_version}
 * is answered only once the read model holds at least that version of the release: it reads again,
 * with a short growing pause, for at most {@code rmm.api.read-wait}, and then answers 503 with
 * Retry-After instead of an older row (or a 404 for a release it has just created).
 *
 * <p>Polling keeps this independent of the projector (no notification channel to keep alive); the
 * pauses start at 2 ms and never exceed 50 ms, so a caught-up projector costs one extra read at
 * most.
 */
@ApplicationScoped
public class FreshReads {

  private static final Duration FIRST_PAUSE = Duration.ofMillis(2);

  /** The shortest delay a Vert.x timer takes. */
  private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);

  private static final Duration LONGEST_PAUSE = Duration.ofMillis(50);

  private final Duration patience;

  FreshReads(RmmApiConfig config) {
    this.patience = config.api().readWait();
  }

  /**
   * {@code read}'s answer once its version ({@code versionOf}) is at least {@code minVersion}; at
   * once when {@code minVersion} is null (not asked). A null answer (no such release yet) counts as
   * version 0.
   */
  public <T> Uni<T> atLeast(
      String releaseId, String minVersion, Supplier<Uni<T>> read, ToLongFunction<T> versionOf) {
    if (minVersion == null) {
      return read.get();
    }
    long wanted = parse(minVersion);
    long deadline = System.nanoTime() + patience.toNanos();
    return attempt(releaseId, wanted, read, versionOf, deadline, FIRST_PAUSE);
  }

  private static long parse(String minVersion) {
    try {
      long v = Long.parseLong(minVersion);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw InvalidRequestException.validation(
        "min_version is the version a write answered: a whole number, 1 or more");
  }

  private <T> Uni<T> attempt(
      String releaseId,
      long minVersion,
      Supplier<Uni<T>> read,
      ToLongFunction<T> versionOf,
      long deadline,
      Duration pause) {
    return read.get()
        .flatMap(
            n -> {
              long seen = n == null ? 0 : versionOf.applyAsLong(n);
              if (seen >= minVersion) {
                return Uni.createFrom().item(n);
              }
              long left = deadline - System.nanoTime();
              // Vert.x timers refuse a delay under 1 ms (it failed a request with 500 when the
              // deadline was that close): less than 1 ms left counts as none left
              if (left < ONE_MILLISECOND.toNanos()) {
                return Uni.createFrom().failure(behind(releaseId, seen, minVersion));
              }
              Duration wait =
                  pause.compareTo(Duration.ofNanos(left)) < 0 ? pause : Duration.ofNanos(left);
              wait = wait.compareTo(ONE_MILLISECOND) < 0 ? ONE_MILLISECOND : wait;
              Duration next = pause.multipliedBy(2);
              Duration nextPause = next.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : next;
              return Uni.createFrom()
                  .voidItem()
                  .onItem()
                  .delayIt()
                  .by(wait)
                  .flatMap(
                      v -> attempt(releaseId, minVersion, read, versionOf, deadline, nextPause));
            });
  }

  private InvalidRequestException behind(String releaseId, long seen, long wanted) {
    return new InvalidRequestException(
        503,
        "read-model-behind",
        "Read model behind",
        "the read model holds version "
            + seen
            + " of release "
            + releaseId
            + ", not yet the version "
            + wanted
            + " that was asked for (waited "
            + patience.toMillis()
            + " ms); try again shortly",
        Map.of());
  }
}
