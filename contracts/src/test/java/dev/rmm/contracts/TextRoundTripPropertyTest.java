package dev.rmm.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rmm.contracts.Decision.Refused;
import dev.rmm.contracts.TextRules.Kind;
import java.time.Instant;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever text the rule lets in survives the log: encoded to JSON and decoded again it is the same
 * string, to the code point. Strings are drawn from every UTF-16 unit (lone surrogates, controls
 * and bidi marks included), so both sides of the rule are exercised.
 */
class TextRoundTripPropertyTest {

  private static final Actor ACTOR = Actor.telegram(102, "Bob");

  @Property(tries = 1000)
  void anyLineTheRuleAllowsRoundTripsInAnEventUnchanged(@ForAll("anyText") String text) {
    if (!TextRules.allows(text, Kind.LINE)) {
      assertThat(TextRules.check("tag", text, Kind.LINE)).isPresent();
      return;
    }
    ReleaseSpec spec = new ReleaseSpec(text, text, text, text, text, text, text, text);
    ReleaseEvent created = new ReleaseEvent.ReleaseCreated(spec, Releases.TWO_OF_THREE);

    assertThat(roundTrip(created, new Actor(Actor.Kind.GITHUB, text, text))).isEqualTo(created);
  }

  @Property(tries = 1000)
  void anyReasonTheDeciderAcceptsRoundTripsInAnEventUnchanged(@ForAll("anyText") String reason) {
    Decision d =
        ReleaseDecider.decide(
            Releases.reject(Releases.BOB, reason, null),
            Releases.inStatus(ReleaseStatus.MANUAL_TESTING));
    if (d instanceof Refused r) {
      assertThat(r.detail())
          .satisfiesAnyOf(
              m -> assertThat(m).startsWith("'reason' contains "),
              m -> assertThat(m).isEqualTo("a rejection needs a reason"));
      assertThat(TextRules.allows(r.detail(), Kind.LINE)).isTrue();
      return;
    }
    ReleaseEvent rejected = d.events().get(0);
    assertThat(TextRules.allows(((ReleaseEvent.ReleaseRejected) rejected).reason(), Kind.FREE_TEXT))
        .isTrue();
    assertThat(roundTrip(rejected, ACTOR)).isEqualTo(rejected);
  }

  private static ReleaseEvent roundTrip(ReleaseEvent data, Actor actor) {
    EventEnvelope e =
        new EventEnvelope(
            "00000000-0000-0000-0000-000000000001",
            Releases.ID,
            1,
            Instant.parse("2026-01-01T00:00:00Z"),
            actor,
            "corr",
            "cause",
            null,
            data);
    EventEnvelope back = EventCodec.decode(EventCodec.encode(e));
    assertThat(back.actor()).isEqualTo(actor);
    return back.data();
  }

  /** Any UTF-16 string, weighted towards the characters at the rule's edges. */
  @Provide
  Arbitrary<String> anyText() {
    Arbitrary<Character> edges =
        Arbitraries.of(
            '\u0000', '\t', '\n', '\r', '\u001F', ' ', '~', '\u007F', '\u0080', '\u009F', '\u00A0',
            '\u061C', '\u200B', '\u200E', '\u200F', '\u202A', '\u202E', '\u2066', '\u2069',
            '\uD83D', '\uDE80', '\uD800', '\uDFFF', '\uFEFF', '\uFFFF', 'é', '日', '"', '\\');
    Arbitrary<Character> any = Arbitraries.chars().all();
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, edges), net.jqwik.api.Tuple.of(2, any))
        .list()
        .ofMaxSize(1100)
        .map(
            cs -> {
              StringBuilder b = new StringBuilder(cs.size());
              cs.forEach(b::append);
              return b.toString();
            });
  }
}
