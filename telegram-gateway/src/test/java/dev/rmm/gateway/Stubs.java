package dev.rmm.gateway;

import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.value.ValueCommands;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Stand-ins for a unit test of one class: the gateway's configuration with fixed values, and a
 * Redis whose string values live in a map (no expiry: a unit test does not outlive a TTL). The
 * {@code @QuarkusTest} classes use the real Redis of the project's test resources.
 */
public final class Stubs {

  private Stubs() {}

  /**
   * The configuration: the values given by method name, else a default by type (5 s for a duration,
   * empty for an optional, a nested group stubbed the same way).
   */
  public static GatewayConfig config(Map<String, Object> values) {
    return stub(GatewayConfig.class, values);
  }

  /** The configuration the unit tests share: English, UTC, a fixed callback secret. */
  public static GatewayConfig config() {
    return config(
        Map.of(
            "defaultLanguage", "en",
            "timeZone", ZoneId.of("UTC"),
            "callbackSecret", Optional.of("unit-test-callback-secret-0123")));
  }

  /** A Redis whose {@code value(String.class)} commands read and write one in-memory map. */
  public static RedisDataSource redis() {
    Map<String, String> values = new ConcurrentHashMap<>();
    ValueCommands<?, ?> commands =
        (ValueCommands<?, ?>)
            Proxy.newProxyInstance(
                ValueCommands.class.getClassLoader(),
                new Class<?>[] {ValueCommands.class},
                (proxy, m, args) ->
                    switch (m.getName()) {
                      case "get" -> values.get((String) args[0]);
                      case "getdel" -> values.remove((String) args[0]);
                      case "set" -> {
                        values.put((String) args[0], (String) args[1]);
                        yield null;
                      }
                      // only used with NX here (Refusals: first refusal in a window)
                      case "setAndChanged" ->
                          values.putIfAbsent((String) args[0], (String) args[1]) == null;
                      case "toString" -> "in-memory Redis values";
                      case "hashCode" -> System.identityHashCode(proxy);
                      case "equals" -> proxy == args[0];
                      default -> throw new UnsupportedOperationException(m.toString());
                    });
    return (RedisDataSource)
        Proxy.newProxyInstance(
            RedisDataSource.class.getClassLoader(),
            new Class<?>[] {RedisDataSource.class},
            (proxy, m, args) ->
                switch (m.getName()) {
                  case "value" -> commands;
                  case "toString" -> "in-memory Redis";
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> throw new UnsupportedOperationException(m.toString());
                });
  }

  private static <T> T stub(Class<T> type, Map<String, Object> values) {
    return type.cast(
        Proxy.newProxyInstance(
            type.getClassLoader(),
            new Class<?>[] {type},
            (proxy, m, args) -> {
              switch (m.getName()) {
                case "toString":
                  return type.getSimpleName() + " stub";
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                default:
                  break;
              }
              if (values.containsKey(m.getName())) {
                return values.get(m.getName());
              }
              Class<?> r = m.getReturnType();
              if (r == Duration.class) {
                return Duration.ofSeconds(5);
              }
              if (r == Optional.class) {
                return Optional.empty();
              }
              if (r == int.class) {
                return 0;
              }
              if (r == long.class) {
                return 0L;
              }
              if (r == boolean.class) {
                return false;
              }
              if (r.isInterface()) {
                return stub(r, values);
              }
              throw new UnsupportedOperationException("no stub value for " + m);
            }));
  }
}
