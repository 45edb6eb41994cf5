package dev.rmm.contracts.log;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ReleaseState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The state of every release of a {@link StateFold}, written out and read back, so that a reader
 * taking over a partition starts from a snapshot and folds only the log after it instead of the
 * whole partition from offset 0 (issue 12: a takeover of a partition holding 1M events in seconds).
 *
 * <p>Each release is written as its {@link ReleaseState} and its chain head, with Jackson over the
 * records' components. A snapshot is only as good as the code that folded it: its {@link #FORMAT}
 * is a fingerprint of {@link ReleaseState}'s shape (every component's name and type, recursively),
 * and a snapshot of another shape is not read (the reader folds from offset 0 instead). A change to
 * what {@code evolve} computes without a change of shape must bump {@link #REVISION}.
 */
public final class FoldSnapshot {

  /** Bump when {@code evolve}'s results change for the same events (not caught by the shape). */
  private static final int REVISION = 2;

  /** This code's snapshot format: the revision and the fingerprint of ReleaseState's shape. */
  public static final String FORMAT = REVISION + "-" + fingerprint(ReleaseState.class);

  /** Only the records' components (fields), never helper methods like {@code exists()}. */
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
          .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          // an approval's time (ReleaseState.Approval#at), as ISO-8601 text
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  /** One release as the snapshot holds it. */
  public record Entry(ReleaseState state, long sequence, String hash, boolean chained) {
    ChainRule.Head head() {
      return new ChainRule.Head(sequence, hash, chained);
    }
  }

  /**
   * One release as written: its state without the approval policy, which is written once in a table
   * before the releases (most releases share a handful of policies) and named by index.
   */
  private record Stored(
      ReleaseState state, int policy, long sequence, String hash, boolean chained) {}

  private FoldSnapshot() {}

  /** The releases of {@code fold}, copied (cheap: the states are immutable) to write elsewhere. */
  public static List<Entry> entries(StateFold fold) {
    List<Entry> out = new ArrayList<>(fold.size());
    fold.forEach(
        (id, state) -> {
          ChainRule.Head h = fold.head(id);
          out.add(new Entry(state, h.sequence(), h.hash(), h.chained()));
        });
    return out;
  }

  /**
   * Writes {@code entries} to {@code out} (left open): a JSON array of the distinct approval
   * policies, then a JSON array of the releases, each naming its policy by index.
   */
  public static void write(List<Entry> entries, OutputStream out) throws IOException {
    Map<ApprovalPolicy, Integer> index = new HashMap<>();
    List<ApprovalPolicy> policies = new ArrayList<>();
    for (Entry e : entries) {
      ApprovalPolicy p = e.state().policy();
      if (p != null && !index.containsKey(p)) {
        index.put(p, policies.size());
        policies.add(p);
      }
    }
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.configure(JsonGenerator.Feature.AUTO_CLOSE_TARGET, false);
      JSON.writeValue(g, policies);
      g.writeStartArray();
      for (Entry e : entries) {
        ReleaseState s = e.state();
        int policy = s.policy() == null ? -1 : index.get(s.policy());
        JSON.writeValue(
            g, new Stored(withPolicy(s, null), policy, e.sequence(), e.hash(), e.chained()));
      }
      g.writeEndArray();
    }
  }

  /** Reads what {@link #write} wrote into {@code fold}; returns how many releases it held. */
  public static int read(InputStream in, StateFold fold) throws IOException {
    int n = 0;
    try (JsonParser p = JSON.getFactory().createParser(in)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("a fold snapshot starts with its array of policies");
      }
      List<ApprovalPolicy> policies = JSON.readValue(p, POLICIES);
      if (p.nextToken() != JsonToken.START_ARRAY) {
        throw new IOException("a fold snapshot's releases are a JSON array");
      }
      while (p.nextToken() == JsonToken.START_OBJECT) {
        Stored e = JSON.readValue(p, Stored.class);
        if (e.policy() < -1 || e.policy() >= policies.size()) {
          throw new IOException("release " + e.state().releaseId() + " names no policy");
        }
        ReleaseState state =
            withPolicy(e.state(), e.policy() < 0 ? null : policies.get(e.policy()));
        fold.put(state, new ChainRule.Head(e.sequence(), e.hash(), e.chained()));
        n++;
      }
    }
    return n;
  }

  private static final TypeReference<List<ApprovalPolicy>> POLICIES = new TypeReference<>() {};

  private static ReleaseState withPolicy(ReleaseState s, ApprovalPolicy policy) {
    return new ReleaseState(
        s.releaseId(),
        s.spec(),
        policy,
        s.status(),
        s.version(),
        s.statusVersion(),
        s.approvals(),
        s.rejectionReason(),
        s.rollbackToTag(),
        s.dispatch(),
        s.runbook(),
        s.rollbackRequestedBy(),
        s.commitSha(),
        s.breakGlass(),
        s.stagedCommit());
  }

  /** A short digest of a record type's shape: component names and types, recursively. */
  static String fingerprint(Class<?> type) {
    StringBuilder shape = new StringBuilder();
    describe(type, shape, new LinkedHashSet<>());
    try {
      byte[] d =
          MessageDigest.getInstance("SHA-256")
              .digest(shape.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void describe(Type type, StringBuilder shape, Set<Type> seen) {
    if (type instanceof ParameterizedType pt) {
      describe(pt.getRawType(), shape, seen);
      shape.append('<');
      for (Type arg : pt.getActualTypeArguments()) {
        describe(arg, shape, seen);
        shape.append(',');
      }
      shape.append('>');
      return;
    }
    if (!(type instanceof Class<?> c)) {
      shape.append(type.getTypeName());
      return;
    }
    shape.append(c.getName());
    if (!seen.add(c)) {
      return;
    }
    if (c.isRecord()) {
      shape.append('{');
      for (RecordComponent rc : c.getRecordComponents()) {
        shape.append(rc.getName()).append(':');
        describe(rc.getGenericType(), shape, seen);
        shape.append(';');
      }
      shape.append('}');
    } else if (c.isEnum()) {
      shape.append('[');
      for (Object constant : c.getEnumConstants()) {
        shape.append(((Enum<?>) constant).name()).append(',');
      }
      shape.append(']');
    }
  }
}
