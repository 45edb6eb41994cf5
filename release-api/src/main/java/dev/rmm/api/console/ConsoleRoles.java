package dev.rmm.api.console;

/**
 * The console's role and identity attribute. A console session holds only {@link #VIEWER}, which no
 * API door allows: the cookie opens the console's pages and nothing of the API.
 */
public final class ConsoleRoles {

  /** Someone logged in to the console: an approver, admin or viewer, or the admin token. */
  public static final String VIEWER = "console-viewer";

  /** Identity attribute: the verified {@link SessionCookies.Session}. */
  public static final String SESSION = "rmm.console.session";

  private ConsoleRoles() {}
}
