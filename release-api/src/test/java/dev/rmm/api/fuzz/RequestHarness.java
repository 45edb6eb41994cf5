package dev.rmm.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rmm.api.json.StrictJson;
import dev.rmm.api.policy.ServicePolicies;
import dev.rmm.api.policy.ServicePolicy;
import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.api.problem.ProblemMappers;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.ApprovalPolicy;
import dev.rmm.contracts.ApprovalPolicy.Approver;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseCommand;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.ReleaseStatus;
import dev.rmm.contracts.RollbackTargets;
import dev.rmm.contracts.TextRules;
import java.io.CharConversionException;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the HTTP layer does with a body, in-process: bind it with the API's Jackson settings
 * (application.properties' {@code quarkus.jackson.*} plus {@link StrictJson}), translate it with
 * the resources' own code, and decide the command with the real decider on releases in several
 * states. An input may only end as an accepted command, a documented client error (a JSON error,
 * answered 400, or {@link InvalidRequestException}, answered with its 4xx status), or a refusal by
 * the decider. Every event it would append must survive the log: encode, decode to the same event,
 * and hold only text the rule allows.
 */
final class RequestHarness {

  /** Like the Quarkus mapper: snake_case, unknown fields refused, and strict reading. */
  static final ObjectMapper MAPPER =
      StrictJson.strict(
          JsonMapper.builder()
              .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
              .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .build());

  static final ReleaseSpec SPEC =
      new ReleaseSpec(
          "billing",
          "v1.2.3",
          "dave",
          "9001",
          "https://github.com/acme/billing/actions/runs/9001",
          "refs/tags/v1.2.3",
          "acme/billing",
          "0123456789abcdef0123456789abcdef01234567");

  static final ApprovalPolicy POLICY =
      new ApprovalPolicy(
          List.of(
              new Approver(1001, "Alice", "alice"),
              new Approver(1002, "Bob", null),
              new Approver(1003, "Carol", null)),
          2,
          false,
          List.of(1002L));

  /**
   * The policies the request layer sees: billing bound to acme/billing, as the HTTP fuzz tests'
   * service is; every other service under the same approvers, unbound and allowed.
   */
  static final ServicePolicies POLICIES =
      new ServicePolicies() {
        @Override
        public Optional<ServicePolicy> of(String service) {
          return Optional.of(
              service.equals(SPEC.service())
                  ? new ServicePolicy(POLICY, SPEC.repository(), List.of())
                  : ServicePolicy.unbound(POLICY));
        }

        @Override
        public boolean allowsUnbound() {
          return true;
        }
      };

  /** The same release before it exists and in the statuses where commands do something. */
  static final List<ReleaseState> STATES = states();

  private RequestHarness() {}

  /** Binds a body as RESTEasy does: no bytes is no body (null). */
  static <T> T bind(byte[] body, Class<T> type) throws IOException {
    return body.length == 0 ? null : MAPPER.readValue(body, type);
  }

  static JsonNode bindTree(byte[] body) throws IOException {
    return body.length == 0 ? null : MAPPER.readTree(body);
  }

  /**
   * Runs one request: the translation either throws a documented client error, or its command is
   * decided on every state and each decision is checked.
   */
  static void request(ThrowingSupplier<ReleaseCommand> translate) {
    ReleaseCommand command;
    try {
      command = translate.get();
    } catch (JsonProcessingException e) {
      assertThat(ProblemMappers.describe(e)).isNotBlank();
      return;
    } catch (InvalidRequestException e) {
      assertThat(e.status()).isBetween(400, 499);
      assertThat(e.getMessage()).isNotBlank();
      return;
    } catch (CharConversionException e) {
      return; // bytes that are no text in the detected encoding: 400 (ProblemMappers.badEncoding)
    } catch (IOException e) {
      throw new AssertionError("reading a byte array cannot fail with I/O", e);
    }
    // a rollback's target allowed by the service's history, so its event is checked too
    RollbackTargets targets =
        command instanceof ReleaseCommand.RequestRollback r && r.targetTag() != null
            ? new RollbackTargets(List.of(r.targetTag()), null)
            : null;
    for (ReleaseState state : STATES) {
      Decision d = ReleaseDecider.decide(command, state, targets);
      if (d instanceof Decision.Refused r) {
        assertThat(r.events()).allMatch(ReleaseEvent.ActionRefused.class::isInstance);
        assertThat(TextRules.allows(r.detail(), TextRules.Kind.FREE_TEXT))
            .as("refusal detail %s", TextRules.escape(r.detail()))
            .isTrue();
      }
      assertLoggable(d.events(), command.actor());
    }
  }

  /** Each event encodes, decodes to itself, and carries only text the rule allows. */
  static void assertLoggable(List<ReleaseEvent> events, Actor actor) {
    for (ReleaseEvent e : events) {
      byte[] bytes =
          EventCodec.encode(
              new EventEnvelope(
                  "00000000-0000-0000-0000-000000000001",
                  SPEC.releaseId(),
                  1,
                  Instant.EPOCH,
                  actor,
                  "corr",
                  "cause",
                  null,
                  e));
      EventEnvelope back = EventCodec.decode(bytes);
      assertThat(back.data()).isEqualTo(e);
      assertThat(back.actor()).isEqualTo(actor);
      assertTextAllowed(EventCodec.toJson(back));
    }
  }

  private static void assertTextAllowed(JsonNode n) {
    if (n.isTextual()) {
      assertThat(TextRules.allows(n.asText(), TextRules.Kind.FREE_TEXT))
          .as("text in an event: %s", TextRules.escape(n.asText()))
          .isTrue();
    }
    n.fieldNames()
        .forEachRemaining(
            f ->
                assertThat(TextRules.allows(f, TextRules.Kind.LINE))
                    .as("field name %s", TextRules.escape(f))
                    .isTrue());
    n.forEach(RequestHarness::assertTextAllowed);
  }

  private static List<ReleaseState> states() {
    List<ReleaseState> out = new ArrayList<>();
    ReleaseState s = ReleaseState.none(SPEC.releaseId());
    out.add(s);
    s = ReleaseDecider.evolve(s, new ReleaseEvent.ReleaseCreated(SPEC, POLICY));
    out.add(s);
    ReleaseStatus from = ReleaseStatus.INITIATED;
    for (ReleaseStatus to :
        List.of(
            ReleaseStatus.STAGE_BUILDING,
            ReleaseStatus.STAGE_TEST_ROLLBACK,
            ReleaseStatus.MANUAL_TESTING)) {
      s = ReleaseDecider.evolve(s, new ReleaseEvent.StatusChanged(from, to, null));
      from = to;
    }
    out.add(s);
    s = ReleaseDecider.evolve(s, new ReleaseEvent.ApprovalQuorumReached(List.of(1001L, 1003L)));
    for (ReleaseStatus to : List.of(ReleaseStatus.DEPLOYING, ReleaseStatus.DEPLOYED)) {
      s = ReleaseDecider.evolve(s, new ReleaseEvent.StatusChanged(s.status(), to, null));
    }
    out.add(s);
    return List.copyOf(out);
  }

  /** A translation step that may fail while binding JSON. */
  @FunctionalInterface
  interface ThrowingSupplier<T> {
    T get() throws IOException;
  }

  static <T> ThrowingSupplier<T> of(Supplier<T> s) {
    return s::get;
  }
}
