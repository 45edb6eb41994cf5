package dev.rmm.api.auth;

/**
 * Who is calling, from the bearer token they presented.
 *
 * @param repository the repository the token belongs to, or {@code *} for an admin token
 */
public record Caller(String repository) {

  public static final String ANY = "*";

  public boolean isAdmin() {
    return ANY.equals(repository);
  }

  /** Whether this caller may report for releases of {@code repo}. */
  public boolean mayWrite(String repo) {
    return isAdmin() || repository.equalsIgnoreCase(repo);
  }
}
