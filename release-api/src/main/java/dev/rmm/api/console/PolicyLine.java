package dev.rmm.api.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rmm.api.console.ConsoleTexts.Language;
import dev.rmm.api.query.QueryViews.Timeline;
import dev.rmm.api.query.QueryViews.TimelineEvent;

/**
 * The release page's policy line (issue 16: "the policy version in force"): the version of the
 * policy topic in force now, and the version the release's newest decision used. Every decision
 * event (an approval, the quorum, a rejection, a rollback or a freeze's hold...) names the policy
 * version that decided it ({@code policy_version}, the sequence number of its {@code
 * release.policy-changed.v1} event on the policy topic), so the timeline tells which policy decided
 * what; the two differ when the policy changed after the release's last decision.
 */
final class PolicyLine {

  private PolicyLine() {}

  /**
   * The card's line.
   *
   * @param timeline the read model's timeline; null when unknown
   * @param inForce the policy version in force now, 0 before any is recorded in the log
   */
  static Views.Field field(Timeline timeline, long inForce, Language lang) {
    String now =
        inForce > 0
            ? ConsoleTexts.word(lang, "policy_now", inForce)
            : ConsoleTexts.word(lang, "policy_none");
    long version = 0;
    long sequence = 0;
    if (timeline != null) {
      for (TimelineEvent e : timeline.events()) {
        // every decision event's data names it (the event catalogue, docs/events.md)
        JsonNode v = e.data().path("policy_version");
        if (v.canConvertToLong() && e.sequence() >= sequence) {
          version = v.asLong();
          sequence = e.sequence();
        }
      }
    }
    String decided =
        version > 0
            ? ConsoleTexts.word(lang, "policy_decided", version, sequence)
            : ConsoleTexts.word(lang, "policy_no_decision");
    return new Views.Field(ConsoleTexts.word(lang, "policy"), now + " · " + decided, null);
  }
}
