package dev.rmm.projector;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** A bearer token presented to the projector's admin endpoints ({@link AdminTokenMechanism}). */
final class AdminTokenRequest extends BaseAuthenticationRequest {

  private final String authorization;

  AdminTokenRequest(String authorization) {
    this.authorization = authorization;
  }

  /** The whole {@code Authorization} header ({@code Bearer <token>}). */
  String authorization() {
    return authorization;
  }
}
