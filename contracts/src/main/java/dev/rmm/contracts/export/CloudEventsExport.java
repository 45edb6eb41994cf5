package dev.rmm.contracts.export;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cdevents.CDEvents;
import dev.cdevents.events.IncidentDetectedCDEvent;
import dev.cdevents.events.PipelinerunFinishedCDEvent;
import dev.cdevents.events.PipelinerunQueuedCDEvent;
import dev.cdevents.events.PipelinerunStartedCDEvent;
import dev.cdevents.events.ServiceDeployedCDEvent;
import dev.cdevents.events.ServiceRolledbackCDEvent;
import dev.cdevents.events.TaskrunFinishedCDEvent;
import dev.cdevents.events.TaskrunStartedCDEvent;
import dev.cdevents.events.TestsuiterunFinishedCDEvent;
import dev.cdevents.events.TestsuiterunStartedCDEvent;
import dev.cdevents.models.CDEvent;
import dev.cdevents.models.testsuiterun.finished.Content;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseSpec;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.log.Link;
import dev.rmm.contracts.log.StateFold;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventFormat;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;

/**
 * Exports a release's history as CloudEvents 1.0 (JSON format, one event per line), speaking the
 * CDEvents vocabulary where it has a matching event: the release is a pipeline run, the stage and
 * production deploys are {@code service.deployed}, manual testing is a test-suite run, the
 * production workflow dispatch is a queued pipeline run, a rollback runbook is a task run. Events
 * with no CDEvents counterpart (single approvals, refusals, runbook steps...) are exported as rmm's
 * own CloudEvents, unchanged. Every exported event keeps the rmm event's id and time, and carries
 * {@code rmmtype} and {@code releaseseq}, so the export is deterministic and traceable to the log.
 * Only the events that count are exported: the release's records are folded through the chain rule
 * ({@link StateFold}), so an event that lost a race to another writer's (void) is left out.
 *
 * <p>The CDEvents payloads are built with the CDEvents SDK and validated against the CDEvents
 * schemas it ships; the CloudEvents envelope is built and written by the CloudEvents SDK.
 *
 * <p>It lives in contracts (an adapter package beside {@code kafka}, with the SDKs as optional
 * dependencies) because two readers export: {@code deploy/local/replay export} and the web
 * console's download of a release's history (release-api), and they must give the same lines.
 */
public final class CloudEventsExport {

  static final URI SOURCE = URI.create(EventCodec.SOURCE);
  private static final EventFormat JSON = new JsonFormat();

  private CloudEventsExport() {}

  /**
   * One JSON line per event of the release that counts, in sequence order.
   *
   * @param releaseId the release
   * @param stored its records as stored in the log, in log order
   */
  public static List<String> lines(String releaseId, List<byte[]> stored) {
    StateFold fold = new StateFold();
    List<String> out = new ArrayList<>(stored.size());
    for (byte[] record : stored) {
      if (fold.accept(releaseId, record) instanceof Link.Valid v) {
        CloudEvent ce = toCloudEvent(v.event(), fold.state(v.event().releaseId()));
        out.add(new String(JSON.serialize(ce), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  static CloudEvent toCloudEvent(EventEnvelope e, ReleaseState after) {
    CDEvent cd = cdEvent(e, after);
    CloudEventBuilder b =
        CloudEventBuilder.v1()
            .withId(e.id())
            .withSource(SOURCE)
            .withSubject(e.releaseId())
            .withTime(e.occurredAt().atOffset(ZoneOffset.UTC))
            .withDataContentType("application/json")
            .withExtension("rmmtype", e.type())
            .withExtension("releaseseq", Math.toIntExact(e.sequence()));
    if (e.traceparent() != null) {
      b.withExtension("traceparent", e.traceparent());
    }
    if (cd == null) {
      JsonNode data = EventCodec.toJson(e).get("data");
      return b.withType(e.type())
          .withData(data.toString().getBytes(StandardCharsets.UTF_8))
          .build();
    }
    stamp(cd, e);
    if (!CDEvents.validateCDEvent(cd)) {
      throw new IllegalStateException(
          "the CDEvent made from " + e.type() + " " + e.id() + " fails its schema");
    }
    String json = CDEvents.cdEventAsJson(cd);
    return b.withType(cd.currentCDEventType())
        .withDataSchema(URI.create(cd.schemaURL()))
        .withData(json.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  /** The CDEvents counterpart of one rmm event, or null when the vocabulary has none. */
  private static CDEvent cdEvent(EventEnvelope e, ReleaseState after) {
    ReleaseSpec spec = after.spec();
    ReleaseEvent data = e.data();
    if (data instanceof ReleaseEvent.ReleaseCreated) {
      PipelinerunStartedCDEvent cd = new PipelinerunStartedCDEvent();
      cd.setSubjectId(e.releaseId());
      cd.setSubjectSource(SOURCE);
      cd.setSubjectPipelineName("release " + spec.service());
      if (spec.githubRunLink() != null) {
        cd.setSubjectUrl(spec.githubRunLink());
      }
      return cd;
    }
    if (data instanceof ReleaseEvent.ApprovalQuorumReached) {
      return manualTesting(e, spec, Content.Outcome.PASS, "approval quorum reached");
    }
    if (data instanceof ReleaseEvent.ReleaseRejected r) {
      return manualTesting(e, spec, Content.Outcome.FAIL, r.reason());
    }
    if (data instanceof ReleaseEvent.WorkflowDispatched w) {
      PipelinerunQueuedCDEvent cd = new PipelinerunQueuedCDEvent();
      cd.setSubjectId(w.dispatchId());
      cd.setSubjectSource(SOURCE);
      cd.setSubjectPipelineName("production deploy of " + spec.service());
      return cd;
    }
    if (data instanceof ReleaseEvent.RunbookStarted r) {
      TaskrunStartedCDEvent cd = new TaskrunStartedCDEvent();
      cd.setSubjectId(r.runId());
      cd.setSubjectSource(SOURCE);
      cd.setSubjectTaskName("rollback runbook on " + r.host() + " to " + r.targetTag());
      cd.setSubjectPipelineRunId(e.releaseId());
      return cd;
    }
    if (data instanceof ReleaseEvent.RunbookFinished r) {
      TaskrunFinishedCDEvent cd = new TaskrunFinishedCDEvent();
      cd.setSubjectId(r.runId());
      cd.setSubjectSource(SOURCE);
      cd.setSubjectTaskName("rollback runbook");
      cd.setSubjectPipelineRunId(e.releaseId());
      cd.setSubjectOutcome(r.ok() ? "success" : "failure");
      if (!r.ok()) {
        cd.setSubjectErrors(r.failedStep() + ": " + r.detail());
      }
      return cd;
    }
    if (data instanceof ReleaseEvent.StatusChanged s) {
      return statusChanged(e, s, spec, after);
    }
    return null;
  }

  private static CDEvent statusChanged(
      EventEnvelope e, ReleaseEvent.StatusChanged s, ReleaseSpec spec, ReleaseState after) {
    switch (s.to()) {
      case MANUAL_TESTING:
        TestsuiterunStartedCDEvent started = new TestsuiterunStartedCDEvent();
        started.setSubjectId(e.releaseId() + "/manual-testing");
        started.setSubjectSource(SOURCE);
        started.setSubjectEnvironmentId("stage");
        started.setSubjectTestSuiteId("manual-testing");
        started.setSubjectTestSuiteName("manual testing of " + spec.service() + " " + spec.tag());
        return started;
      case STAGE_TEST_ROLLBACK:
        return deployed(e, spec, "stage", spec.tag());
      case DEPLOYED:
        return deployed(e, spec, "production", spec.tag());
      case ROLLBACK_DONE:
        ServiceRolledbackCDEvent rolledBack = new ServiceRolledbackCDEvent();
        rolledBack.setSubjectId(spec.service());
        rolledBack.setSubjectSource(SOURCE);
        rolledBack.setSubjectEnvironmentId("production");
        rolledBack.setSubjectArtifactId(purl(spec, after.rollbackToTag()));
        return rolledBack;
      case PRODUCTION_FAILED:
      case ROLLBACK_FAILED:
        IncidentDetectedCDEvent incident = new IncidentDetectedCDEvent();
        incident.setSubjectId(e.releaseId() + "/" + s.to().wire());
        incident.setSubjectSource(SOURCE);
        incident.setSubjectDescription(
            spec.service() + " " + spec.tag() + ": " + s.to().wire() + detail(s));
        incident.setSubjectEnvironmentId("production");
        incident.setSubjectServiceId(spec.service());
        incident.setSubjectArtifactId(purl(spec, spec.tag()));
        return incident;
      case STAGE_BUILDING_FAILED:
      case STAGE_TEST_ROLLBACK_FAILED:
        PipelinerunFinishedCDEvent failed = new PipelinerunFinishedCDEvent();
        failed.setSubjectId(e.releaseId());
        failed.setSubjectSource(SOURCE);
        failed.setSubjectPipelineName("release " + spec.service());
        failed.setSubjectOutcome("failure");
        failed.setSubjectErrors(s.to().wire() + detail(s));
        return failed;
      default:
        return null;
    }
  }

  private static CDEvent manualTesting(
      EventEnvelope e, ReleaseSpec spec, Content.Outcome outcome, String reason) {
    TestsuiterunFinishedCDEvent cd = new TestsuiterunFinishedCDEvent();
    cd.setSubjectId(e.releaseId() + "/manual-testing");
    cd.setSubjectSource(SOURCE);
    cd.setSubjectEnvironmentId("stage");
    cd.setSubjectOutcome(outcome);
    cd.setSubjectReason(reason);
    cd.setSubjectTestSuiteId("manual-testing");
    cd.setSubjectTestSuiteName("manual testing of " + spec.service() + " " + spec.tag());
    return cd;
  }

  private static CDEvent deployed(EventEnvelope e, ReleaseSpec spec, String env, String tag) {
    ServiceDeployedCDEvent cd = new ServiceDeployedCDEvent();
    cd.setSubjectId(spec.service());
    cd.setSubjectSource(SOURCE);
    cd.setSubjectEnvironmentId(env);
    cd.setSubjectArtifactId(purl(spec, tag));
    return cd;
  }

  /** A package URL for the service at a tag: {@code pkg:github/owner/repo@tag} when known. */
  static String purl(ReleaseSpec spec, String tag) {
    String name =
        spec.repository() != null && spec.repository().contains("/")
            ? "pkg:github/" + spec.repository()
            : "pkg:generic/" + spec.service();
    return tag == null
        ? name
        : name + "@" + java.net.URLEncoder.encode(tag, StandardCharsets.UTF_8);
  }

  private static String detail(ReleaseEvent.StatusChanged s) {
    return s.detail() == null || s.detail().isBlank() ? "" : " (" + s.detail() + ")";
  }

  /** The rmm event's id and time, so the export is the same every time it is made. */
  private static void stamp(CDEvent cd, EventEnvelope e) {
    try {
      Object context = cd.getClass().getMethod("getContext").invoke(cd);
      context.getClass().getMethod("setId", String.class).invoke(context, e.id());
      context.getClass().getMethod("setSource", String.class).invoke(context, EventCodec.SOURCE);
      context
          .getClass()
          .getMethod("setTimestamp", Date.class)
          .invoke(context, Date.from(e.occurredAt()));
    } catch (ReflectiveOperationException ex) {
      throw new IllegalStateException("the CDEvents SDK changed shape: " + ex.getMessage(), ex);
    }
  }
}
