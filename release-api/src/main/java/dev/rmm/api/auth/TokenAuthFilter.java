package dev.rmm.api.auth;

import dev.rmm.api.RmmApiConfig;
import dev.rmm.api.problem.Problem;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every API request with a per-repository bearer token. Only SHA-256 hashes of the
 * tokens are configured (RMM_API_TOKENS); a presented token is hashed and compared in constant
 * time. Also refuses oversized bodies before they are read.
 *
 * <p>Application-scoped (a client proxy) because REST filters are instantiated at static init, when
 * the runtime configuration with the tokens is not available yet; {@code @Startup} still parses the
 * tokens, and fails on a malformed entry, as the application starts.
 */
@ApplicationScoped
@Startup
public class TokenAuthFilter {

  public static final String CALLER = "rmm.caller";
  private static final Logger LOG = Logger.getLogger(TokenAuthFilter.class);

  private record Entry(String repository, byte[] hash) {}

  private final List<Entry> tokens;
  private final int maxBody;

  TokenAuthFilter(RmmApiConfig config) {
    this.tokens = parse(config.api().tokens().orElse(""));
    this.maxBody = config.api().maxBodyBytes();
    if (tokens.isEmpty()) {
      LOG.warn(
          "No API tokens are configured (RMM_API_TOKENS): every API request will be refused"
              + " with 401.");
    }
  }

  @ServerRequestFilter(preMatching = true)
  public Optional<Response> authenticate(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!(path.startsWith("/api/") || path.equals("/release") || path.startsWith("/release/"))) {
      return Optional.empty();
    }
    String length = ctx.getHeaderString(HttpHeaders.CONTENT_LENGTH);
    if (length != null && parseLength(length) > maxBody) {
      return Optional.of(
          Problem.of(
              413,
              "payload-too-large",
              "Payload too large",
              "the body has " + length + " bytes; the limit is " + maxBody));
    }
    String header = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.of(
          unauthorized("send the repository's token as 'Authorization: Bearer <token>'"));
    }
    byte[] presented = sha256(header.substring(7).trim());
    for (Entry e : tokens) {
      if (MessageDigest.isEqual(e.hash(), presented)) {
        ctx.setProperty(CALLER, new Caller(e.repository()));
        return Optional.empty();
      }
    }
    return Optional.of(unauthorized("the bearer token is not valid"));
  }

  private static long parseLength(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static Response unauthorized(String detail) {
    Response p = Problem.of(401, "unauthorized", "Unauthorized", detail);
    return Response.fromResponse(p)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"rmm\"")
        .build();
  }

  static List<Entry> parse(String spec) {
    List<Entry> out = new ArrayList<>();
    for (String item : spec.split(",")) {
      if (item.isBlank()) {
        continue;
      }
      int eq = item.lastIndexOf('=');
      String hash = eq < 0 ? "" : item.substring(eq + 1).trim();
      if (eq < 1 || !hash.toLowerCase(Locale.ROOT).startsWith("sha256:")) {
        throw new IllegalArgumentException(
            "RMM_API_TOKENS entries must look like owner/repo=sha256:<hex>; got an entry without"
                + " that shape (its value is not shown)");
      }
      out.add(
          new Entry(
              item.substring(0, eq).trim(), HexFormat.of().parseHex(hash.substring(7).trim())));
    }
    return out;
  }

  /** SHA-256 of a token; also what an operator runs to produce the configured hash. */
  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
