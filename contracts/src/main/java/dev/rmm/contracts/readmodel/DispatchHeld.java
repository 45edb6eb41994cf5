package dev.rmm.contracts.readmodel;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.time.OffsetDateTime;

/**
 * The newest hold of a release's dispatch by a freeze window (the row's {@code dispatch_held}).
 *
 * @param reason the freeze's reason, or null
 * @param at when the dispatch was held
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DispatchHeld(
    OffsetDateTime until, String reason, Long policyVersion, OffsetDateTime at) {}
