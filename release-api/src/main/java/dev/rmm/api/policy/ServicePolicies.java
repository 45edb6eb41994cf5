package dev.rmm.api.policy;

import java.util.Optional;

/** Where the request layer finds a service's policy (the {@link PolicyRegistry} in the service). */
public interface ServicePolicies {

  /** The service's policy, or empty when neither a service policy nor a default exists. */
  Optional<ServicePolicy> of(String service);

  /**
   * Whether a service whose policy declares no repository may be released from any repository
   * (RMM_POLICY_ALLOW_UNBOUND_SERVICES); false refuses such releases.
   */
  boolean allowsUnbound();
}
