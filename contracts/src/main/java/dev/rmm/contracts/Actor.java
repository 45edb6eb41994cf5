package dev.rmm.contracts;

import java.util.Objects;

/**
 * Who caused an event. Telegram users are identified by their numeric user id (usernames change);
 * pipelines by the repository whose token they used.
 *
 * @param onBehalfOf the person this actor acted for (an admin token approving for a Telegram user),
 *     or null when the actor acted for themself. The actor is who really asked; the person it acted
 *     for is recorded beside it, never in its place, so the log says who pressed what.
 */
public record Actor(Kind kind, String id, String name, Actor onBehalfOf) {

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
    if (onBehalfOf != null && onBehalfOf.onBehalfOf() != null) {
      throw new IllegalArgumentException("an actor acts on behalf of one person, not of a chain");
    }
  }

  /** An actor acting for themself. */
  public Actor(Kind kind, String id, String name) {
    this(kind, id, name, null);
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

  /** An admin token (the API's {@code *} token). */
  public static Actor adminToken() {
    return new Actor(Kind.ADMIN, "*", "admin token");
  }

  /** An admin token acting for a Telegram user (an approval "on behalf of" them). */
  public static Actor adminTokenFor(long userId, String name) {
    Actor user = telegram(userId, name);
    return new Actor(Kind.ADMIN, "*", "admin token for " + user.name(), user);
  }

  /** Whether this actor acted for somebody else. */
  public boolean actsOnBehalf() {
    return onBehalfOf != null;
  }
}
