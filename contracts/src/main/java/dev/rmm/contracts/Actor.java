package dev.rmm.contracts;

import java.util.Objects;

/**
 * Who caused an event. Telegram users are identified by their numeric user id (usernames change);
 * pipelines by the repository whose token they used.
 */
public record Actor(Kind kind, String id, String name) {

  public enum Kind {
    GITHUB,
    TELEGRAM,
    ORCHESTRATOR,
    ADMIN,
    SYSTEM
  }

  public Actor {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
    name = name == null ? id : name;
  }

  public static Actor telegram(long userId, String name) {
    return new Actor(Kind.TELEGRAM, Long.toString(userId), name);
  }

  public static Actor github(String repository, String login) {
    return new Actor(Kind.GITHUB, repository, login);
  }

  public static Actor system(String component) {
    return new Actor(Kind.SYSTEM, component, component);
  }
}
