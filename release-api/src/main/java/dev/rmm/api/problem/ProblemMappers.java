package dev.rmm.api.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.rmm.api.query.ReadModelUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.io.CharConversionException;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into a problem+json answer; nothing leaves as an HTML or empty error. */
public class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  public Response badJson(JsonProcessingException e) {
    return Problem.badRequest(describe(e));
  }

  /**
   * Wrong field types and unknown fields: without this, Quarkus' own mapper for this more specific
   * type wins over {@link #badJson} and answers plain JSON instead of problem+json.
   */
  @ServerExceptionMapper
  public Response badInput(MismatchedInputException e) {
    return Problem.badRequest(describe(e));
  }

  /**
   * Bytes that are no text in the encoding Jackson detected (a body starting with NUL bytes reads
   * as UTF-32): without this it would be an unexpected error, 500.
   */
  @ServerExceptionMapper
  public Response badEncoding(CharConversionException e) {
    return Problem.badRequest(
        "the body is not valid JSON text: send it as UTF-8 (" + e.getMessage() + ")");
  }

  @ServerExceptionMapper
  public Response invalid(InvalidRequestException e) {
    Response r = Problem.of(e.status(), e.slug(), e.title(), e.getMessage(), e.extra());
    if (e.status() == 503) {
      // temporary by definition: the read model is behind or missing; say when to come back
      r.getHeaders().putSingle("Retry-After", "1");
    }
    return r;
  }

  /** 503 with Retry-After: the read model cannot answer now, the query may be repeated. */
  @ServerExceptionMapper
  public Response readModelUnavailable(ReadModelUnavailableException e) {
    Throwable cause = e.getCause();
    LOG.warnf(
        "Query answered 503: %s (%s: %s)",
        e.getMessage(),
        cause == null ? "-" : cause.getClass().getName(),
        cause == null ? "-" : cause.getMessage());
    return Response.fromResponse(
            Problem.of(503, "read-model-unavailable", "Read model unavailable", e.getMessage()))
        .header("Retry-After", String.valueOf(ReadModelUnavailableException.RETRY_AFTER_SECONDS))
        .build();
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e) {
    if (e.getCause() instanceof JsonProcessingException j) {
      return Problem.badRequest(describe(j));
    }
    int status = e.getResponse().getStatus();
    Response.StatusType type = Response.Status.fromStatusCode(status);
    String title = type != null ? type.getReasonPhrase() : "Error";
    String detail =
        switch (status) {
          case 404 -> "no such resource; the API lives under /api/v1 (see /q/openapi)";
          case 405 -> "this method is not allowed here (see /q/openapi)";
          case 406 -> "the API answers application/json";
          case 415 -> "send the body as application/json";
          default -> e.getMessage();
        };
    return Problem.of(status, title.toLowerCase().replace(' ', '-'), title, detail);
  }

  @ServerExceptionMapper
  public Response unexpected(RuntimeException e) {
    LOG.errorf(e, "Unexpected error answering a request: %s", e.getMessage());
    return Problem.of(
        500,
        "internal-error",
        "Internal error",
        "an unexpected error occurred; see the server log");
  }

  public static String describe(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith("Trailing token")) {
      return "the body must be exactly one JSON value; something follows it";
    }
    if (original.startsWith("Duplicate field")) {
      return "the body is not valid JSON: "
          + original.substring(0, Math.min(original.length(), 120))
          + " (each field may appear once)";
    }
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown field '" + u.getPropertyName() + "'";
    }
    if (e instanceof InvalidFormatException f) {
      return "field '" + path(f) + "' has the wrong type or value: " + f.getValue();
    }
    if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
      return "field '" + path(m) + "' has the wrong type";
    }
    String msg = e.getOriginalMessage();
    return "the body is not valid JSON: " + (msg == null ? e.getClass().getSimpleName() : msg);
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }
}
