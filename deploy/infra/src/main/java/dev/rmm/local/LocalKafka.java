package dev.rmm.local;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka (KRaft broker and controller in one node) running inside this JVM, with
 * its log in a directory that survives restarts. The storage is formatted the first time, as {@code
 * kafka-storage.sh format} does; later starts reuse it. Topics are not created automatically: the
 * services create their own, as in production.
 */
public final class LocalKafka implements AutoCloseable {

  public static final int DEFAULT_PORT = 9092;
  public static final String PORT_VARIABLE = "RMM_KAFKA_PORT";

  private static final Logger LOG = LoggerFactory.getLogger(LocalKafka.class);
  private static final int NODE_ID = 1;
  private static final String CONTROLLER_LISTENER = "CONTROLLER";

  private final Path dataDir;
  private final int port;
  private KafkaRaftServer server;
  private boolean reusedData;

  /**
   * @param dataDir the broker's log directory (created and formatted when empty)
   * @param port the client port on 127.0.0.1
   */
  public LocalKafka(Path dataDir, int port) {
    this.dataDir = dataDir.toAbsolutePath();
    this.port = port;
  }

  /** Formats the storage if needed and starts the node; returns when the broker is unfenced. */
  public synchronized LocalKafka start() {
    if (server != null) {
      return this;
    }
    requirePortFree();
    try {
      Files.createDirectories(dataDir);
      reusedData = Files.exists(dataDir.resolve("meta.properties"));
      // the controller port is internal to this node, so any free one will do on each start
      KafkaConfig config = new KafkaConfig(serverProperties(Ports.free()), false);
      if (!reusedData) {
        format(config);
      }
      KafkaRaftServer starting = new KafkaRaftServer(config, Time.SYSTEM);
      try {
        starting.startup();
      } catch (RuntimeException e) {
        starting.shutdown();
        throw e;
      }
      server = starting;
      return this;
    } catch (Exception e) {
      throw new IllegalStateException(
          "could not start Kafka on " + bootstrapServers() + " with data in " + dataDir, e);
    }
  }

  /** Fails with a message that says what to do when the port is taken. */
  public void requirePortFree() {
    Ports.requireFree(port, "Kafka", PORT_VARIABLE);
  }

  /** Stops the node and waits until its log is closed. */
  public synchronized void stop() {
    if (server != null) {
      server.shutdown();
      server.awaitShutdown();
      server = null;
    }
  }

  @Override
  public void close() {
    stop();
  }

  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Path dataDir() {
    return dataDir;
  }

  /** Whether the last start found an already formatted log (a restart) rather than a new one. */
  public boolean reusedData() {
    return reusedData;
  }

  private Map<String, String> serverProperties(int controllerPort) {
    Map<String, String> p = new HashMap<>();
    p.put("process.roles", "broker,controller");
    p.put("node.id", String.valueOf(NODE_ID));
    p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
    p.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + port
            + ","
            + CONTROLLER_LISTENER
            + "://127.0.0.1:"
            + controllerPort);
    p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    p.put("controller.listener.names", CONTROLLER_LISTENER);
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    p.put("log.dirs", dataDir.toString());
    p.put("num.partitions", "1");
    p.put("offsets.topic.replication.factor", "1");
    p.put("offsets.topic.num.partitions", "4");
    p.put("transaction.state.log.replication.factor", "1");
    p.put("transaction.state.log.num.partitions", "4");
    p.put("transaction.state.log.min.isr", "1");
    p.put("share.coordinator.state.topic.replication.factor", "1");
    p.put("share.coordinator.state.topic.min.isr", "1");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("auto.create.topics.enable", "false");
    return p;
  }

  /**
   * What {@code kafka.tools.StorageTool format} does for this config. Only for an empty directory:
   * the formatter insists that an existing log carries the cluster id it is given.
   */
  private void format(KafkaConfig config) throws Exception {
    ByteArrayOutputStream output = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(output, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setNodeId(NODE_ID)
          .setClusterId(Uuid.randomUuid().toString())
          .setUnstableFeatureVersionsEnabled(false)
          .setIgnoreFormatted(false)
          .setControllerListenerName(CONTROLLER_LISTENER)
          .setMetadataLogDirectory(config.metadataLogDir())
          .addDirectory(dataDir.toString())
          .run();
    }
    LOG.info("kafka-storage format: {}", output.toString(StandardCharsets.UTF_8).trim());
  }
}
