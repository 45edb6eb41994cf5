package dev.rmm.projector;

import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Admin tokens, configured hashed exactly like release-api's (RMM_API_TOKENS, entries {@code
 * *=sha256:<hex>}); only the {@code *} entries count here.
 */
@ApplicationScoped
public class AdminTokens {

  private final List<byte[]> hashes = new ArrayList<>();

  AdminTokens(ProjectorConfig config) {
    for (String item : config.api().tokens().orElse("").split(",")) {
      int eq = item.lastIndexOf('=');
      if (eq > 0 && item.substring(0, eq).trim().equals("*")) {
        String h = item.substring(eq + 1).trim();
        if (h.startsWith("sha256:")) {
          hashes.add(HexFormat.of().parseHex(h.substring(7)));
        }
      }
    }
  }

  boolean isAdmin(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented;
    try {
      presented =
          MessageDigest.getInstance("SHA-256")
              .digest(authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return hashes.stream().anyMatch(h -> MessageDigest.isEqual(h, presented));
  }
}
