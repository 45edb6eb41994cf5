package dev.rmm.api.release;

import dev.rmm.api.problem.InvalidRequestException;
import dev.rmm.contracts.TextRules;
import dev.rmm.contracts.TextRules.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Checks request fields and reports every problem at once, as one 422 answer. Every text field of
 * every request passes {@link TextRules} here (one line, or free text where a person writes a
 * reason or a detail), so no control or bidi character reaches the release log.
 */
final class Validation {

  static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");
  static final Pattern SHA = Pattern.compile("[0-9a-fA-F]{7,64}");

  /**
   * A GitHub login: letters, digits and hyphens, at most 39, not starting with a hyphen; an app's
   * bot account ends in {@code [bot]} ({@code github-actions[bot]}).
   */
  static final Pattern GITHUB_LOGIN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,38}(\\[bot\\])?");

  static final int MAX_FIELD = 500;

  private final List<String> problems = new ArrayList<>();

  static Validation check() {
    return new Validation();
  }

  Validation required(String field, String value) {
    if (value == null || value.isBlank()) {
      problems.add("'" + field + "' is required");
    } else if (value.length() > MAX_FIELD) {
      problems.add("'" + field + "' is longer than " + MAX_FIELD + " characters");
    }
    return text(field, value, Kind.LINE);
  }

  /** A field that may be absent; when present, {@link TextRules} apply. */
  Validation text(String field, String value, Kind kind) {
    TextRules.check(field, value, kind).ifPresent(problems::add);
    return this;
  }

  Validation matches(String field, String value, Pattern pattern, String expected) {
    if (value != null && !value.isBlank() && !pattern.matcher(value).matches()) {
      problems.add("'" + field + "' must be " + expected);
    }
    return this;
  }

  Validation url(String field, String value) {
    if (value != null && !value.isBlank() && !value.matches("https?://\\S+")) {
      problems.add("'" + field + "' must be an http(s) URL");
    }
    return this;
  }

  void orThrow() {
    if (!problems.isEmpty()) {
      throw InvalidRequestException.validation(String.join("; ", problems));
    }
  }
}
