package dev.rmm.contracts.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Removes secrets from text that leaves a process: deploy-orchestrator's runbook commands and
 * output before they go into the log, telegram-gateway's failure context before it goes to an AI
 * model. Masks every value of this process's environment variables whose names say they are secret
 * (and any value given), and what looks like a GitHub or OpenAI-style token, an AWS access key id,
 * a bearer token, a private key or a {@code password=} / {@code token=} pair.
 */
public final class Redactor {

  static final String MASK = "***";
  private static final Pattern SECRET_NAME =
      Pattern.compile("(?i).*(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|_KEY|CREDENTIAL).*");
  private static final List<Pattern> SHAPES =
      List.of(
          Pattern.compile("gh[pousr]_[A-Za-z0-9]{20,}"),
          Pattern.compile("github_pat_[A-Za-z0-9_]{20,}"),
          Pattern.compile("\\bsk-[A-Za-z0-9_-]{20,}"),
          Pattern.compile("\\bAKIA[0-9A-Z]{16}\\b"),
          Pattern.compile("(?i)(?<=\\bbearer\\s)[A-Za-z0-9._~+/=-]{8,}"),
          Pattern.compile(
              "-----BEGIN [A-Z ]*PRIVATE KEY-----[\\s\\S]*?-----END [A-Z ]*PRIVATE KEY-----"));
  private static final Pattern PAIR =
      Pattern.compile("(?i)\\b(password|passwd|secret|token|api[_-]?key)(\\s*[=:]\\s*)\\S+");

  private final List<String> values;

  /** Secrets from this environment. */
  public static Redactor fromEnvironment(Map<String, String> env) {
    List<String> secrets = new ArrayList<>();
    env.forEach(
        (name, value) -> {
          if (SECRET_NAME.matcher(name).matches() && value != null && value.length() >= 6) {
            secrets.add(value);
          }
        });
    return new Redactor(secrets);
  }

  /**
   * This redactor and these secrets besides (e.g. keys that came through configuration rather than
   * the environment); nulls and values shorter than 6 characters are left out.
   */
  public Redactor with(List<String> more) {
    List<String> all = new ArrayList<>(values);
    for (String v : more) {
      if (v != null && v.length() >= 6) {
        all.add(v);
      }
    }
    return new Redactor(all);
  }

  public Redactor(List<String> values) {
    List<String> sorted = new ArrayList<>(values);
    sorted.sort(Comparator.comparingInt(String::length).reversed()); // longest first
    this.values = List.copyOf(sorted);
  }

  public String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String v : values) {
      out = out.replace(v, MASK);
    }
    for (Pattern p : SHAPES) {
      out = p.matcher(out).replaceAll(MASK);
    }
    return PAIR.matcher(out).replaceAll("$1$2" + MASK);
  }

  /**
   * The last {@code maxChars} characters of a command's raw output, redacted first and cut after,
   * so that a cut never leaves part of a secret that redaction would no longer recognise.
   */
  public String redactTail(String raw, int maxChars) {
    String out = redact(raw);
    return out == null || out.length() <= maxChars
        ? out
        : "\u2026" + out.substring(out.length() - maxChars + 1);
  }
}
