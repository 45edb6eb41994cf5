package dev.rmm.api.writer;

/**
 * What travels with a command into the events it causes.
 *
 * @param causationId the request's or command's id
 * @param correlationId ties together everything one pipeline run or user action caused
 * @param traceparent W3C trace context of the caller, may be null
 */
public record RequestMeta(String causationId, String correlationId, String traceparent) {}
