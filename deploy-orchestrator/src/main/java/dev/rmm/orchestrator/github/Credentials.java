package dev.rmm.orchestrator.github;

/** How the orchestrator authenticates to GitHub for one service: a token, or a GitHub App. */
public interface Credentials {

  /** A token for the {@code Authorization: Bearer} header; never logged. */
  String token() throws AuthException;

  /** A fixed token (a fine-grained personal access token with "Actions: write"). */
  static Credentials of(String token) {
    return () -> token;
  }

  /** GitHub did not give a token (the App's key or installation is wrong, or GitHub failed). */
  final class AuthException extends Exception {
    private final int status;

    public AuthException(int status, String message) {
      super(message);
      this.status = status;
    }

    /** GitHub's status code; 0 when GitHub was not reached. */
    public int status() {
      return status;
    }
  }
}
