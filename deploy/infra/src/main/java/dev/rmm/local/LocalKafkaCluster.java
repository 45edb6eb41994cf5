package dev.rmm.local;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka cluster of several KRaft brokers in this JVM, for faults that take a broker away
 * (issue 14: the partition leader killed under load). One controller-only node and N broker-only
 * nodes, each a {@link KafkaRaftServer} with its own log directory and port: a dedicated
 * controller, because three combined broker+controller nodes were flaky on a 2-core machine (one
 * start hung; another failed waiting for the controller to acknowledge that it had caught up).
 *
 * <p>Topic defaults follow a production cluster of this size: replication factor {@code min(3, N)}
 * and {@code min.insync.replicas} 2 from 3 brokers on, for Kafka's own topics too (consumer
 * offsets, transaction state). Brokers stop without a controlled shutdown, as a crashed broker
 * does: their partitions keep it as leader until the controller fences it (its session times out),
 * and nothing moves leadership away beforehand. {@link #startBroker} starts a stopped broker again
 * on its directory and port; it rejoins and catches up by replication.
 */
public final class LocalKafkaCluster implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafkaCluster.class);
  private static final int CONTROLLER_ID = 3000;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Path dataDir;
  private final int brokerCount;
  private final int[] ports;
  private final KafkaRaftServer[] brokers;
  private int controllerPort;
  private KafkaRaftServer controller;
  private String clusterId;
  private boolean reusedData;

  /**
   * @param dataDir one directory per node is made below it ({@code controller}, {@code broker-1},
   *     ...), formatted when new
   * @param firstPort the first broker's client port on 127.0.0.1; the others take free ports
   * @param brokerCount how many brokers (at least 1)
   */
  public LocalKafkaCluster(Path dataDir, int firstPort, int brokerCount) {
    if (brokerCount < 1) {
      throw new IllegalArgumentException("a Kafka cluster needs at least one broker");
    }
    this.dataDir = dataDir.toAbsolutePath();
    this.brokerCount = brokerCount;
    this.ports = new int[brokerCount];
    this.brokers = new KafkaRaftServer[brokerCount];
    ports[0] = firstPort;
    for (int i = 1; i < brokerCount; i++) {
      ports[i] = Ports.free();
    }
  }

  /**
   * Starts the controller, then every broker at once; returns when each broker is unfenced (a
   * broker's start waits for that, so starting them one after the other took three times as long).
   */
  public synchronized LocalKafkaCluster start() {
    if (controller != null) {
      return this;
    }
    requirePortFree();
    try {
      Files.createDirectories(dataDir);
      Path idFile = dataDir.resolve("cluster.id");
      reusedData = Files.exists(idFile);
      if (reusedData) {
        clusterId = Files.readString(idFile).trim();
      } else {
        clusterId = Uuid.randomUuid().toString();
        Files.writeString(idFile, clusterId);
      }
      // the controller's port is only known to the nodes of this cluster, so any free one will do
      controllerPort = Ports.free();
      controller = startNode(controllerProperties(), CONTROLLER_ID, nodeDir(CONTROLLER_ID));
      startBrokersTogether();
      return this;
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException("could not start Kafka with data in " + dataDir, e);
    } catch (RuntimeException e) {
      stop();
      throw new IllegalStateException(
          "could not start a Kafka cluster of "
              + brokerCount
              + " brokers on "
              + bootstrapServers()
              + " with data in "
              + dataDir,
          e);
    }
  }

  /**
   * Starts broker {@code id} (1..N) again on its directory and port; returns when the controller
   * has unfenced it. It then catches up on its partitions by replication and rejoins their ISR.
   */
  public synchronized void startBroker(int id) {
    int i = index(id);
    if (brokers[i] != null) {
      return;
    }
    if (controller == null) {
      throw new IllegalStateException("the cluster is not running: start() it first");
    }
    Ports.requireFree(ports[i], "Kafka broker " + id, LocalKafka.PORT_VARIABLE);
    brokers[i] = launchBroker(id);
  }

  /** Every broker in its own thread; if one fails, the started ones are stopped by the caller. */
  private void startBrokersTogether() {
    ExecutorService starting = Executors.newFixedThreadPool(brokerCount);
    try {
      List<Future<KafkaRaftServer>> launched = new ArrayList<>();
      for (int id = 1; id <= brokerCount; id++) {
        Ports.requireFree(ports[index(id)], "Kafka broker " + id, LocalKafka.PORT_VARIABLE);
        int broker = id;
        launched.add(starting.submit(() -> launchBroker(broker)));
      }
      RuntimeException failure = null;
      for (int i = 0; i < brokerCount; i++) {
        try {
          brokers[i] = launched.get(i).get();
        } catch (ExecutionException e) {
          failure = failure == null ? new IllegalStateException(e.getCause()) : failure;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          failure = failure == null ? new IllegalStateException("interrupted", e) : failure;
        }
      }
      if (failure != null) {
        throw failure;
      }
    } finally {
      starting.shutdownNow();
    }
  }

  /** Starts broker {@code id} on its directory and port; needs no lock. */
  private KafkaRaftServer launchBroker(int id) {
    KafkaRaftServer broker = startNode(brokerProperties(id), id, nodeDir(id));
    LOG.info("Kafka broker {} up on 127.0.0.1:{}", id, ports[index(id)]);
    return broker;
  }

  /**
   * Stops broker {@code id} (1..N) as a crash would, without a controlled shutdown: its sockets
   * close and its partitions stay led by it until the controller fences it.
   */
  public synchronized void stopBroker(int id) {
    int i = index(id);
    KafkaRaftServer broker = brokers[i];
    if (broker != null) {
      brokers[i] = null;
      broker.shutdown();
      broker.awaitShutdown();
      LOG.info("Kafka broker {} on 127.0.0.1:{} stopped", id, ports[i]);
    }
  }

  /** Whether broker {@code id} is running. */
  public synchronized boolean isRunning(int id) {
    return brokers[index(id)] != null;
  }

  /** Stops every broker, then the controller. */
  public synchronized void stop() {
    for (int id = 1; id <= brokerCount; id++) {
      stopBroker(id);
    }
    if (controller != null) {
      KafkaRaftServer c = controller;
      controller = null;
      c.shutdown();
      c.awaitShutdown();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Fails with a message that says what to do when the first broker's port is taken. */
  public void requirePortFree() {
    Ports.requireFree(ports[0], "Kafka", LocalKafka.PORT_VARIABLE);
  }

  /** Every broker's address, comma separated, the first broker first. */
  public String bootstrapServers() {
    List<String> all = new ArrayList<>();
    for (int port : ports) {
      all.add("127.0.0.1:" + port);
    }
    return String.join(",", all);
  }

  public int brokerCount() {
    return brokerCount;
  }

  /** The client port of broker {@code id} (1..N). */
  public int port(int id) {
    return ports[index(id)];
  }

  public Path dataDir() {
    return dataDir;
  }

  /**
   * Whether the last start found an already formatted cluster (a restart) rather than a new one.
   */
  public boolean reusedData() {
    return reusedData;
  }

  private int index(int id) {
    if (id < 1 || id > brokerCount) {
      throw new IllegalArgumentException(
          "no broker " + id + ": the brokers are numbered 1 to " + brokerCount);
    }
    return id - 1;
  }

  private Path nodeDir(int id) {
    return dataDir.resolve(id == CONTROLLER_ID ? "controller" : "broker-" + id);
  }

  private KafkaRaftServer startNode(Map<String, String> properties, int id, Path dir) {
    try {
      Files.createDirectories(dir);
      properties.put("log.dirs", dir.toString());
      KafkaConfig config = new KafkaConfig(properties, false);
      if (!Files.exists(dir.resolve("meta.properties"))) {
        format(config, id, dir);
      }
      KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        starting.startup();
      } catch (RuntimeException e) {
        starting.shutdown();
        throw e;
      }
      return starting;
    } catch (IOException e) {
      throw new UncheckedIOException("could not create " + dir, e);
    }
  }

  private Map<String, String> controllerProperties() {
    Map<String, String> p = common();
    p.put("process.roles", "controller");
    p.put("node.id", String.valueOf(CONTROLLER_ID));
    p.put("listeners", CONTROLLER_LISTENER + "://127.0.0.1:" + controllerPort);
    return p;
  }

  private Map<String, String> brokerProperties(int id) {
    Map<String, String> p = common();
    int port = ports[index(id)];
    p.put("process.roles", "broker");
    p.put("node.id", String.valueOf(id));
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    // a stop is a crash: no leadership handed over before the sockets close
    p.put("controlled.shutdown.enable", "false");
    int replicas = Math.min(3, brokerCount);
    int minInsync = replicas >= 3 ? 2 : 1;
    p.put("offsets.topic.replication.factor", String.valueOf(replicas));
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", String.valueOf(replicas));
    p.put("transaction.state.log.min.isr", String.valueOf(minInsync));
    p.put("transaction.state.log.num.partitions", "4");
    p.put("share.coordinator.state.topic.replication.factor", String.valueOf(replicas));
    p.put("share.coordinator.state.topic.min.isr", String.valueOf(minInsync));
    p.put("unclean.leader.election.enable", "false");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  private Map<String, String> common() {
    Map<String, String> p = new HashMap<>();
    // the controller decides a new topic's defaults, and writes its min.insync.replicas as the
    // cluster's at the first start, so it needs them as much as the brokers do
    int replicas = Math.min(3, brokerCount);
    p.put("default.replication.factor", String.valueOf(replicas));
    p.put("min.insync.replicas", String.valueOf(replicas >= 3 ? 2 : 1));
    // each broker's log cleaner takes this buffer from the heap when it starts (Kafka's default
    // 128 MiB): three of them left the local stack's 512 MiB JVM too little to unpack PostgreSQL
    // (OutOfMemoryError). 16 MiB still deduplicates ~700k keys per cleaning pass.
    p.put("log.cleaner.dedupe.buffer.size", String.valueOf(16 * 1024 * 1024));
    p.put("controller.quorum.voters", CONTROLLER_ID + "@127.0.0.1:" + controllerPort);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("listener.security.protocol.map", CONTROLLER_LISTENER + ":PLAINTEXT,PLAINTEXT:PLAINTEXT");
    return p;
  }

  /**
   * What {@code kafka-storage.sh format --cluster-id} does for one node of a static quorum: every
   * node gets the same cluster id, kept in {@code cluster.id} for later starts.
   */
  private void format(KafkaConfig config, int id, Path dir) {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(id)
          .setClusterId(clusterId)
          .setUnstableFeatureVersionsEnabled(false)
          .setIgnoreFormatted(false)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(config.metadataLogDir())
          .addDirectory(dir.toString())
          .run();
    } catch (Exception e) {
      throw new IllegalStateException("could not format Kafka node " + id + " in " + dir, e);
    }
    LOG.info("kafka-storage format: {}", output.toString(StandardCharsets.UTF_8).trim());
  }
}
