package dev.rmm.projector;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The release rows of one schema as the last committed batch left them, so that the next batch
 * folds its events into rows it already holds instead of reading them back ({@code SELECT} and
 * parsing their JSON columns: a tenth of the projector's CPU and a query per batch for Postgres).
 * Releases under way get an event every few batches, so nearly every row a batch needs is here.
 *
 * <p>It is only a copy: a row that is not here is read from Postgres, and everything is forgotten
 * whenever the copy may differ from the table. That is after a batch that failed (its rows were
 * changed in memory, its transaction rolled back), when the schema is swapped for a rebuilt one,
 * when partitions are assigned again, and when the positions stored for a partition are not the
 * ones this projection committed last (another instance wrote that partition meanwhile). At most
 * {@link #MAX_ROWS} rows are kept, the least recently used leave first, so memory stays bounded
 * with any number of releases.
 */
final class ReleaseRowCache {

  /** About 1-2 kB each: a few tens of MB at most, many times the releases under way at once. */
  static final int MAX_ROWS = 20_000;

  private final Map<String, ReleaseRow> rows =
      new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ReleaseRow> eldest) {
          return size() > MAX_ROWS;
        }
      };

  /** The next offset per partition as this projection last committed it, with the rows. */
  private final Map<Integer, Long> committed = new HashMap<>();

  /**
   * Forgets every row when the positions stored in Postgres for a partition of the batch are not
   * the ones this projection committed last: someone else wrote rows of that partition.
   */
  void checkAgainst(Map<Integer, Long> stored, Iterable<Integer> partitions) {
    for (Integer p : partitions) {
      Long mine = committed.get(p);
      if (mine != null && !mine.equals(stored.get(p))) {
        clear();
        return;
      }
    }
  }

  /** The row of {@code releaseId} (as stored), or null when it must be read from Postgres. */
  ReleaseRow get(String releaseId) {
    return rows.get(releaseId);
  }

  /** Keeps the rows and positions a batch has just committed. */
  void committed(Map<String, ReleaseRow> batchRows, Map<Integer, Long> positions) {
    rows.putAll(batchRows);
    committed.putAll(positions);
  }

  /** Forgets everything: the next batch reads its rows from Postgres. */
  void clear() {
    rows.clear();
    committed.clear();
  }

  int size() {
    return rows.size();
  }
}
