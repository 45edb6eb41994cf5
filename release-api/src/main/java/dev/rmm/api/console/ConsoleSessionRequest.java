package dev.rmm.api.console;

import io.quarkus.security.identity.request.BaseAuthenticationRequest;

/** The console's session cookie, handed by {@link ConsoleAuthMechanism} to its provider. */
final class ConsoleSessionRequest extends BaseAuthenticationRequest {

  private final String cookie;

  ConsoleSessionRequest(String cookie) {
    this.cookie = cookie;
  }

  String cookie() {
    return cookie;
  }
}
