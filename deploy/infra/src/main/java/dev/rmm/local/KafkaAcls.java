package dev.rmm.local;

import dev.rmm.contracts.kafka.AclLayout;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.KafkaSecurity;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;

/**
 * Grants each rmm service's principal what {@link AclLayout} says, on a broker that has an
 * authorizer: {@code deploy/local/kafka-acls [--bootstrap host:port] [--apply] api=User:rmm-api
 * projector=User:rmm-projector gateway=User:rmm-gateway orchestrator=User:rmm-orchestrator}.
 * Without {@code --apply} it prints the equivalent {@code kafka-acls.sh} commands for review. With
 * it, it creates the ACLs as the admin principal given by the {@code KAFKA_*} security variables
 * ({@link KafkaSecurity}).
 */
public final class KafkaAcls {

  private static final Map<String, AclLayout.Service> ROLES =
      Map.of(
          "api", AclLayout.Service.RELEASE_API,
          "projector", AclLayout.Service.RELEASE_PROJECTOR,
          "gateway", AclLayout.Service.TELEGRAM_GATEWAY,
          "orchestrator", AclLayout.Service.DEPLOY_ORCHESTRATOR);

  private KafkaAcls() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = "127.0.0.1:9092";
    boolean apply = false;
    Map<AclLayout.Service, String> principals = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--bootstrap") && i + 1 < args.length) {
        bootstrap = args[++i];
      } else if (a.equals("--apply")) {
        apply = true;
      } else if (a.contains("=") && ROLES.containsKey(a.substring(0, a.indexOf('=')))) {
        principals.put(ROLES.get(a.substring(0, a.indexOf('='))), a.substring(a.indexOf('=') + 1));
      } else {
        System.err.println(
            "usage: kafka-acls [--bootstrap host:port] [--apply] api=User:<name>"
                + " projector=User:<name> gateway=User:<name> orchestrator=User:<name>");
        System.exit(2);
      }
    }
    List<AclBinding> bindings = bindings(principals);
    if (!apply) {
      print(bindings, bootstrap, System.out);
      return;
    }
    try (Admin admin = KafkaClients.admin(KafkaClients.adminProperties(bootstrap))) {
      apply(admin, bindings);
      System.out.printf("created %d ACLs for %s%n", bindings.size(), principals.values());
    }
  }

  /** Every service's ACLs, for the principals given. */
  public static List<AclBinding> bindings(Map<AclLayout.Service, String> principals) {
    AclLayout layout = new AclLayout(AclLayout.Names.defaults());
    List<AclBinding> all = new ArrayList<>();
    principals.forEach((service, principal) -> all.addAll(layout.bindings(service, principal)));
    return all;
  }

  public static void apply(Admin admin, List<AclBinding> bindings)
      throws InterruptedException, ExecutionException {
    admin.createAcls(bindings).all().get();
  }

  static void print(List<AclBinding> bindings, String bootstrap, PrintStream out) {
    for (AclBinding b : bindings) {
      String resource =
          switch (b.pattern().resourceType()) {
            case TOPIC -> "--topic " + b.pattern().name();
            case GROUP -> "--group " + b.pattern().name();
            case CLUSTER -> "--cluster";
            default -> "--" + b.pattern().resourceType().name().toLowerCase(Locale.ROOT);
          };
      out.printf(
          "kafka-acls.sh --bootstrap-server %s --command-config admin.properties --add"
              + " --allow-principal %s --operation %s %s%s%n",
          bootstrap,
          b.entry().principal(),
          b.entry().operation().name(),
          resource,
          b.pattern().patternType().name().equals("PREFIXED")
              ? " --resource-pattern-type prefixed"
              : "");
    }
  }
}
