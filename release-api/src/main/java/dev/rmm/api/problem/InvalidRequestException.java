package dev.rmm.api.problem;

import java.util.Map;

/** A request the API refuses, answered as problem+json with this status and detail. */
public class InvalidRequestException extends RuntimeException {

  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, ?> extra;

  public InvalidRequestException(
      int status, String slug, String title, String detail, Map<String, ?> extra) {
    super(detail);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extra = extra;
  }

  public static InvalidRequestException validation(String detail) {
    return new InvalidRequestException(422, "validation", "Invalid request", detail, Map.of());
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public Map<String, ?> extra() {
    return extra;
  }
}
