package dev.rmm.contracts;

import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of two releases of one service is newer, for superseding (docs/events.md, "Superseding").
 *
 * <p>The rule: when both tags are semantic versions ({@code 1.5.0}, {@code v1.5.0}, {@code
 * v2.0.0-rc.1}; a {@code v} or {@code V} prefix and build metadata allowed), the higher version is
 * newer, compared as SemVer 2.0 orders them (a pre-release is lower than its release; build
 * metadata is ignored). Otherwise, and when the versions are equal, the release created later is
 * newer (the creation time of its first event, then its id, so that every reader of the log orders
 * the same two releases the same way). So a hotfix {@code v1.4.1} tagged after {@code v1.5.0} is
 * older than {@code v1.5.0}: it never supersedes it.
 */
public final class ReleaseOrder {

  private static final Pattern SEMVER =
      Pattern.compile(
          "^[vV]?(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})\\.(0|[1-9]\\d{0,17})"
              + "(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?$");

  private ReleaseOrder() {}

  /**
   * What the rule looks at: a release's tag, when it was created, and its id. A class rather than a
   * record so that the tag is parsed once, not at every comparison: the orchestrator compares each
   * release of a service with the ones that stand, on every event of the service, and parsing the
   * tag each time was most of its CPU in the write-path benchmark (docs/benchmarks.md).
   */
  public static final class Candidate {
    private final String releaseId;
    private final String tag;
    private final Instant createdAt;
    private final Optional<Version> version;

    public Candidate(String releaseId, String tag, Instant createdAt) {
      this.releaseId = releaseId;
      this.tag = tag;
      this.createdAt = createdAt;
      this.version = Version.parse(tag);
    }

    public String releaseId() {
      return releaseId;
    }

    public String tag() {
      return tag;
    }

    public Instant createdAt() {
      return createdAt;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Candidate c
          && Objects.equals(releaseId, c.releaseId)
          && Objects.equals(tag, c.tag)
          && Objects.equals(createdAt, c.createdAt);
    }

    @Override
    public int hashCode() {
      return Objects.hash(releaseId, tag, createdAt);
    }

    @Override
    public String toString() {
      return "Candidate[releaseId=" + releaseId + ", tag=" + tag + ", createdAt=" + createdAt + "]";
    }
  }

  /** Orders releases oldest first. */
  public static final Comparator<Candidate> OLDEST_FIRST = ReleaseOrder::compare;

  /** Whether {@code a} is newer than {@code b} under the rule. */
  public static boolean newer(Candidate a, Candidate b) {
    return compare(a, b) > 0;
  }

  /** Negative when {@code a} is older than {@code b}, positive when newer, 0 for the same one. */
  public static int compare(Candidate a, Candidate b) {
    Optional<Version> va = a.version;
    Optional<Version> vb = b.version;
    if (va.isPresent() && vb.isPresent()) {
      int byVersion = va.get().compareTo(vb.get());
      if (byVersion != 0) {
        return byVersion;
      }
    }
    int byTime = a.createdAt().compareTo(b.createdAt());
    return byTime != 0 ? byTime : a.releaseId().compareTo(b.releaseId());
  }

  /** A parsed semantic version (build metadata dropped). */
  record Version(long major, long minor, long patch, String preRelease)
      implements Comparable<Version> {

    static Optional<Version> parse(String tag) {
      if (tag == null) {
        return Optional.empty();
      }
      Matcher m = SEMVER.matcher(tag);
      if (!m.matches()) {
        return Optional.empty();
      }
      return Optional.of(
          new Version(
              Long.parseLong(m.group(1)),
              Long.parseLong(m.group(2)),
              Long.parseLong(m.group(3)),
              m.group(4)));
    }

    @Override
    public int compareTo(Version o) {
      int c = Long.compare(major, o.major);
      if (c == 0) {
        c = Long.compare(minor, o.minor);
      }
      if (c == 0) {
        c = Long.compare(patch, o.patch);
      }
      return c != 0 ? c : comparePreRelease(preRelease, o.preRelease);
    }

    /** SemVer 2.0 §11: no pre-release is higher; identifiers compare numerically or by ASCII. */
    private static int comparePreRelease(String a, String b) {
      if (a == null || b == null) {
        return a == null ? (b == null ? 0 : 1) : -1;
      }
      String[] pa = a.split("\\.");
      String[] pb = b.split("\\.");
      for (int i = 0; i < Math.min(pa.length, pb.length); i++) {
        boolean na = pa[i].chars().allMatch(Character::isDigit);
        boolean nb = pb[i].chars().allMatch(Character::isDigit);
        int c;
        if (na && nb) {
          c = new java.math.BigInteger(pa[i]).compareTo(new java.math.BigInteger(pb[i]));
        } else if (na || nb) {
          c = na ? -1 : 1; // numeric identifiers are lower than alphanumeric ones
        } else {
          c = pa[i].compareTo(pb[i]);
        }
        if (c != 0) {
          return c;
        }
      }
      return Integer.compare(pa.length, pb.length);
    }
  }
}
