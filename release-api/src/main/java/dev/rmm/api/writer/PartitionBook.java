package dev.rmm.api.writer;

import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.FoldSnapshot;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The state of every release of one partition, with bounded heap (issue 12): the releases the
 * writer works on are in a {@link StateFold} (whole objects); the others are in {@link
 * ColdReleases}, a local file that is also the partition's snapshot, and come back into the heap
 * when a command or an event names them. Decisions never see the difference: a release that left
 * the heap comes back with its whole state and chain head, exactly as it was.
 *
 * <p>Three places, newest first: the heap ({@code hot}); releases pushed out of the heap since the
 * file was written, encoded ({@code overlay}); the file ({@code base}). A release leaves the heap
 * when it finished (a final status, or {@code deployed}: only an admin's rollback can follow, and
 * that is rare) or when more than {@code maxHot} releases are in the heap (the least recently used
 * first, so that releases abandoned half-way cannot fill it either). When the overlay holds {@code
 * maxOverlay} releases, a new file is merged in the background ({@link #compaction}) and swapped in
 * ({@link #install}).
 *
 * <p>Not thread-safe: the partition writer's thread calls everything except {@link
 * Compaction#merge}, which reads only what was copied for it and the immutable file.
 */
final class PartitionBook implements AutoCloseable {

  /** How much of the partition the heap may hold. */
  record Limits(int maxHot, int maxOverlay) {}

  private final Limits limits;
  private final Path dir;
  private final StateFold hot = new StateFold();

  /** The releases in {@link #hot}, least recently used first. */
  private final LinkedHashMap<String, Boolean> recent = new LinkedHashMap<>(1024, 0.75f, true);

  /** Releases in {@link #hot} whose state is not the one in {@link #base}. */
  private final Set<String> changed = new HashSet<>();

  /** Releases in {@link #hot} that finished: they leave the heap at the next {@link #evict}. */
  private final Set<String> finished = new HashSet<>();

  private final Map<String, byte[]> overlay = new HashMap<>();
  private ColdReleases base;
  private long loadedFromCold;
  private int files;

  PartitionBook(Path dir, Limits limits, ColdReleases base) {
    this.dir = dir;
    this.limits = limits;
    this.base = base;
  }

  /** A book in a fresh temporary directory, from {@code base} (null: an empty partition). */
  static Path newDirectory(int partition) {
    try {
      return Files.createTempDirectory("rmm-writer-p" + partition + "-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the writer's directory for its releases", e);
    }
  }

  Path dir() {
    return dir;
  }

  /** Folds the next stored record of the log (see {@link StateFold#accept(String, byte[])}). */
  Link accept(String key, byte[] stored) {
    EventEnvelope e;
    try {
      e = EventCodec.decode(stored);
    } catch (EventCodec.MalformedEventException ex) {
      return new Link.Unreadable(key, ex.getMessage());
    }
    warm(e.releaseId());
    return touched(hot.accept(e, stored));
  }

  /** Folds an event this writer encoded and hashed itself. */
  Link acceptHashed(EventEnvelope e, String storedHash) {
    warm(e.releaseId());
    return touched(hot.acceptHashed(e, storedHash));
  }

  ReleaseState state(String releaseId) {
    warm(releaseId);
    return hot.state(releaseId);
  }

  ChainRule.Head head(String releaseId) {
    warm(releaseId);
    return hot.head(releaseId);
  }

  /** About how many releases the partition holds (a release may be counted twice). */
  long size() {
    return recent.size() + overlay.size() + (base == null ? 0 : base.size());
  }

  int inHeap() {
    return recent.size();
  }

  /** Whether the release is in the heap now (without bringing it in). */
  boolean inHeap(String releaseId) {
    return recent.containsKey(releaseId);
  }

  /** Whether the release file (not the heap, not the overlay) holds the release. */
  boolean inFile(String releaseId) {
    return base != null && base.get(releaseId) != null;
  }

  int inOverlay() {
    return overlay.size();
  }

  /** How many times a release came back into the heap from outside it. */
  long loadedFromCold() {
    return loadedFromCold;
  }

  private Link touched(Link link) {
    if (link instanceof Link.Valid v) {
      String id = v.event().releaseId();
      recent.put(id, Boolean.TRUE);
      changed.add(id);
      ReleaseStatus status = hot.state(id).status();
      if (status != null && (status.isTerminal() || status == ReleaseStatus.DEPLOYED)) {
        finished.add(id);
      } else {
        finished.remove(id);
      }
    }
    return link;
  }

  /** Brings a release into the heap when it is elsewhere; a release nowhere stays nowhere. */
  private void warm(String id) {
    if (recent.get(id) != null) {
      return;
    }
    byte[] stored = overlay.remove(id);
    boolean fromOverlay = stored != null;
    if (stored == null && base != null) {
      stored = base.get(id);
    }
    if (stored == null) {
      return;
    }
    FoldSnapshot.Entry e = ReleaseRecords.decode(stored);
    hot.put(e.state(), ReleaseRecords.head(e));
    recent.put(id, Boolean.TRUE);
    loadedFromCold++;
    if (fromOverlay) {
      changed.add(id); // the file does not have this state
    }
    ReleaseStatus status = e.state().status();
    if (status != null && (status.isTerminal() || status == ReleaseStatus.DEPLOYED)) {
      finished.add(id);
    }
  }

  /**
   * Pushes finished releases out of the heap, and the least recently used ones while more than
   * {@code maxHot} are in it; never a release that {@code busy} names (events in flight).
   */
  void evict(Predicate<String> busy) {
    if (!finished.isEmpty()) {
      for (Iterator<String> it = finished.iterator(); it.hasNext(); ) {
        String id = it.next();
        if (!busy.test(id)) {
          it.remove();
          pushOut(id);
        }
      }
    }
    int over = recent.size() - limits.maxHot();
    if (over > 0) {
      List<String> victims = new ArrayList<>(over);
      for (Iterator<String> it = recent.keySet().iterator();
          it.hasNext() && victims.size() < over; ) {
        String id = it.next();
        if (!busy.test(id)) {
          victims.add(id);
        }
      }
      victims.forEach(
          id -> {
            finished.remove(id);
            pushOut(id);
          });
    }
  }

  private void pushOut(String id) {
    if (changed.remove(id)) {
      overlay.put(id, ReleaseRecords.encode(hot.state(id), hot.head(id)));
    }
    hot.forget(id);
    recent.remove(id);
  }

  /** Whether enough releases wait outside the file that a new one is worth writing. */
  boolean overlayFull() {
    return overlay.size() >= limits.maxOverlay();
  }

  /**
   * Whether so many releases wait outside the file (twice the bound) that the writer must wait for
   * the merge under way before it pushes out more: a fold from offset 0 finishes releases faster
   * than a loaded machine merges them, and without this the encoded releases waiting grew past 100k
   * with a bound of 20k (docs/benchmarks.md, "Writer memory").
   */
  boolean overlayOverrun() {
    return overlay.size() >= 2L * limits.maxOverlay();
  }

  /**
   * What changed since the file was written, copied on the writer's thread (cheap: references to
   * immutable states and byte arrays), to merge into a new file on another thread.
   */
  Compaction compaction() {
    Map<String, byte[]> pushedOut = new HashMap<>(overlay);
    Map<String, ReleaseState> states = new HashMap<>(changed.size() * 2);
    Map<String, ChainRule.Head> heads = new HashMap<>(changed.size() * 2);
    for (String id : changed) {
      states.put(id, hot.state(id));
      heads.put(id, hot.head(id));
    }
    return new Compaction(
        base, dir.resolve("releases-" + (++files) + ".bin"), pushedOut, states, heads);
  }

  /**
   * Swaps in the file that {@code c} merged: what it holds leaves the overlay (unless it changed
   * again since), and the old file is deleted.
   */
  void install(Compaction c, ColdReleases merged) {
    ColdReleases old = base;
    base = merged;
    c.pushedOut.forEach(overlay::remove); // removes only the very same array
    c.states.forEach(
        (id, state) -> {
          if (recent.containsKey(id) && hot.state(id) == state) {
            changed.remove(id);
          }
        });
    if (old != null && old != merged) {
      old.delete();
    }
  }

  /** The releases of the partition as of the copy, merged into a new file. */
  static final class Compaction {
    private final ColdReleases base;
    private final Path file;
    private final Map<String, byte[]> pushedOut;
    private final Map<String, ReleaseState> states;
    private final Map<String, ChainRule.Head> heads;

    Compaction(
        ColdReleases base,
        Path file,
        Map<String, byte[]> pushedOut,
        Map<String, ReleaseState> states,
        Map<String, ChainRule.Head> heads) {
      this.base = base;
      this.file = file;
      this.pushedOut = pushedOut;
      this.states = states;
      this.heads = heads;
    }

    int changes() {
      return pushedOut.size() + states.size();
    }

    /** Writes the new file (any thread): the old file's rows with the changes over them. */
    ColdReleases merge(byte[] meta) throws IOException {
      List<ColdReleases.Row> rows = new ArrayList<>(changes());
      pushedOut.forEach((id, stored) -> rows.add(ColdReleases.Row.of(id, stored)));
      states.forEach(
          (id, state) ->
              rows.add(ColdReleases.Row.of(id, ReleaseRecords.encode(state, heads.get(id)))));
      rows.sort(null);
      return ColdReleases.Builder.merge(file, base, rows.iterator(), meta);
    }
  }

  @Override
  public void close() {
    if (base != null) {
      base.delete();
    }
    try (var left = Files.list(dir)) {
      left.forEach(
          f -> {
            try {
              Files.deleteIfExists(f);
            } catch (IOException e) {
              // a temporary file; the directory stays, and so does it
            }
          });
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // best effort: temporary files
    }
  }
}
