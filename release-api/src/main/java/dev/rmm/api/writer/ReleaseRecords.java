package dev.rmm.api.writer;

import com.fasterxml.jackson.annotation.JsonAutoDetect.Visibility;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.log.ChainRule;
import dev.rmm.contracts.log.FoldSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One release as the writer keeps it out of its heap ({@link ColdReleases}, {@link PartitionBook}):
 * its whole {@link ReleaseState} and its chain head, as JSON over the records' components, the same
 * encoding as {@link FoldSnapshot}. The whole state, not a summary: a late command for a release
 * that left memory must get the very answer it would have got from memory (the decision, and the
 * release's view in the answer).
 */
final class ReleaseRecords {

  private static final ObjectMapper JSON =
      new ObjectMapper()
          .setVisibility(PropertyAccessor.ALL, Visibility.NONE)
          .setVisibility(PropertyAccessor.FIELD, Visibility.ANY)
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          // an approval's time (ReleaseState.Approval#at), as ISO-8601 text
          .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

  private ReleaseRecords() {}

  static byte[] encode(ReleaseState state, ChainRule.Head head) {
    try {
      return JSON.writeValueAsBytes(
          new FoldSnapshot.Entry(state, head.sequence(), head.hash(), head.chained()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static FoldSnapshot.Entry decode(byte[] stored) {
    try {
      return JSON.readValue(stored, FoldSnapshot.Entry.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ChainRule.Head head(FoldSnapshot.Entry e) {
    return new ChainRule.Head(e.sequence(), e.hash(), e.chained());
  }
}
