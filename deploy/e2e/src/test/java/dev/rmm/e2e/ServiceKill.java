package dev.rmm.e2e;

import dev.rmm.local.RmmService;
import java.util.List;
import java.util.Random;

/**
 * kill -9 of one service process at a random moment under load (after 0.5 to 4 s of load), then the
 * same service started again on its port after up to a second, as a supervisor would.
 */
final class ServiceKill implements Fault {

  private final StackExtension stack;
  private final RmmService service;
  private final Random random;

  ServiceKill(StackExtension stack, RmmService service, Random random) {
    this.stack = stack;
    this.service = service;
    this.random = random;
  }

  @Override
  public String name() {
    return "kill -9 " + service.module();
  }

  @Override
  public List<String> inject(ChaosLoad load) throws InterruptedException {
    Thread.sleep(500 + random.nextInt(3500));
    stack.killService(service);
    Thread.sleep(random.nextInt(1000));
    stack.startService(service);
    return List.of();
  }
}
