package dev.rmm.contracts.kafka;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;

/**
 * How every rmm Kafka client authenticates: one place for the security settings of producers,
 * consumers and admin clients, read from the environment (secrets only from there, never from files
 * in the repository or from logs):
 *
 * <ul>
 *   <li>{@code KAFKA_SECURITY_PROTOCOL}: {@code PLAINTEXT} (the default, the local stack), {@code
 *       SASL_SSL}, {@code SASL_PLAINTEXT} or {@code SSL} (mutual TLS with a keystore);
 *   <li>{@code KAFKA_SASL_MECHANISM} ({@code SCRAM-SHA-512} by default, or {@code SCRAM-SHA-256},
 *       {@code PLAIN}), {@code KAFKA_SASL_USERNAME}, {@code KAFKA_SASL_PASSWORD}: the service's
 *       principal, which the broker's ACLs ({@link AclLayout}) bind to what it may do;
 *   <li>{@code KAFKA_SSL_TRUSTSTORE_LOCATION}, {@code _PASSWORD}, {@code _TYPE}; for mutual TLS
 *       {@code KAFKA_SSL_KEYSTORE_LOCATION}, {@code _PASSWORD}, {@code _TYPE} and {@code
 *       KAFKA_SSL_KEY_PASSWORD}.
 * </ul>
 *
 * A Java system property of the same name wins over the environment (for tests and one-off tools).
 * A SASL protocol without a user or a password fails at start-up with a message naming the missing
 * variable, instead of a connection that hangs in authentication.
 */
public final class KafkaSecurity {

  private static final Set<String> PROTOCOLS =
      Set.of("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL");
  private static final Map<String, String> LOGIN_MODULES =
      Map.of(
          "PLAIN", "org.apache.kafka.common.security.plain.PlainLoginModule",
          "SCRAM-SHA-256", "org.apache.kafka.common.security.scram.ScramLoginModule",
          "SCRAM-SHA-512", "org.apache.kafka.common.security.scram.ScramLoginModule");

  private final Function<String, String> source;

  private KafkaSecurity(Function<String, String> source) {
    this.source = source;
  }

  /** The settings of this process: system properties, then the environment. */
  public static KafkaSecurity fromEnvironment() {
    return new KafkaSecurity(
        name -> {
          String v = System.getProperty(name);
          return v != null ? v : System.getenv(name);
        });
  }

  /** Settings from a map of the same variable names (tests, tools). */
  public static KafkaSecurity of(Map<String, String> variables) {
    return new KafkaSecurity(variables::get);
  }

  /** Adds the security settings to a client's properties and returns them. */
  public Properties applyTo(Properties p) {
    String protocol = value("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").toUpperCase(Locale.ROOT);
    if (!PROTOCOLS.contains(protocol)) {
      throw new IllegalArgumentException(
          "KAFKA_SECURITY_PROTOCOL must be one of " + PROTOCOLS + ", not '" + protocol + "'");
    }
    p.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, protocol);
    if (protocol.startsWith("SASL_")) {
      String mechanism = value("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512").toUpperCase(Locale.ROOT);
      String module = LOGIN_MODULES.get(mechanism);
      if (module == null) {
        throw new IllegalArgumentException(
            "KAFKA_SASL_MECHANISM must be one of "
                + LOGIN_MODULES.keySet()
                + ", not '"
                + mechanism
                + "'");
      }
      p.put(SaslConfigs.SASL_MECHANISM, mechanism);
      p.put(
          SaslConfigs.SASL_JAAS_CONFIG,
          module
              + " required username=\""
              + jaasQuoted(required("KAFKA_SASL_USERNAME", protocol))
              + "\" password=\""
              + jaasQuoted(required("KAFKA_SASL_PASSWORD", protocol))
              + "\";");
    }
    if (protocol.endsWith("SSL")) {
      copy(p, "KAFKA_SSL_TRUSTSTORE_LOCATION", SslConfigs.SSL_TRUSTSTORE_LOCATION_CONFIG);
      copy(p, "KAFKA_SSL_TRUSTSTORE_PASSWORD", SslConfigs.SSL_TRUSTSTORE_PASSWORD_CONFIG);
      copy(p, "KAFKA_SSL_TRUSTSTORE_TYPE", SslConfigs.SSL_TRUSTSTORE_TYPE_CONFIG);
      copy(p, "KAFKA_SSL_KEYSTORE_LOCATION", SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
      copy(p, "KAFKA_SSL_KEYSTORE_PASSWORD", SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
      copy(p, "KAFKA_SSL_KEYSTORE_TYPE", SslConfigs.SSL_KEYSTORE_TYPE_CONFIG);
      copy(p, "KAFKA_SSL_KEY_PASSWORD", SslConfigs.SSL_KEY_PASSWORD_CONFIG);
    }
    return p;
  }

  /** The principal's user name when SASL is on, for log lines (never the password). */
  public String principal() {
    String protocol = value("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").toUpperCase(Locale.ROOT);
    return protocol.startsWith("SASL_") ? value("KAFKA_SASL_USERNAME", "?") : "(none)";
  }

  private String value(String name, String fallback) {
    String v = source.apply(name);
    return v == null || v.isBlank() ? fallback : v.trim();
  }

  private String required(String name, String protocol) {
    String v = source.apply(name);
    if (v == null || v.isEmpty()) {
      throw new IllegalArgumentException(
          name + " is required when KAFKA_SECURITY_PROTOCOL is " + protocol);
    }
    return v;
  }

  private void copy(Properties p, String name, String key) {
    String v = source.apply(name);
    if (v != null && !v.isEmpty()) {
      p.put(key, v);
    }
  }

  /** A JAAS option value inside double quotes: backslash and quote escaped. */
  private static String jaasQuoted(String v) {
    return v.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
