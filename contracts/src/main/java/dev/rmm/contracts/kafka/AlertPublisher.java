package dev.rmm.contracts.kafka;

import dev.rmm.contracts.ops.Alert;
import dev.rmm.contracts.ops.AlertCodec;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Puts {@link Alert}s on the alerts topic for the telegram-gateway's alerts chat. Called from error
 * paths, so {@link #publish(Alert)} never throws and never blocks its caller: the alert is handed
 * to a background thread (a bounded queue; when it is full the alert is only logged), and a failed
 * send is logged. The producer is made on the first alert, so a healthy service opens no connection
 * for it.
 */
public final class AlertPublisher implements AutoCloseable {

  /** The alerts topic (one partition is enough; release-api creates it with the others). */
  public static final String TOPIC = "rmm.alerts";

  private static final Logger LOG = Logger.getLogger(AlertPublisher.class.getName());
  private static final int QUEUE = 1000;

  private final String bootstrap;
  private final String topic;
  private final ThreadPoolExecutor sender;
  private KafkaProducer<String, byte[]> producer; // made and used by the sender thread only

  public AlertPublisher(String bootstrap, String topic) {
    this.bootstrap = bootstrap;
    this.topic = topic;
    this.sender =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(QUEUE),
            r -> {
              Thread t = new Thread(r, "rmm-alert-publisher");
              t.setDaemon(true);
              return t;
            });
  }

  /** Publishes the alert in the background (key: its fingerprint). Never throws. */
  public void publish(Alert alert) {
    try {
      sender.execute(() -> send(alert));
    } catch (RejectedExecutionException e) {
      LOG.warning(
          "Alert not published (the queue is full or the publisher closed): "
              + alert.kind()
              + " "
              + alert.summary());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "Alert not published: " + e.getMessage(), e);
    }
  }

  private void send(Alert alert) {
    try {
      if (producer == null) {
        producer = KafkaClients.producer(Producers.properties(bootstrap));
      }
      producer.send(
          new ProducerRecord<>(topic, alert.fingerprint(), AlertCodec.encode(alert)),
          (md, e) -> {
            if (e != null) {
              LOG.warning(
                  "Kafka did not take the alert "
                      + alert.kind()
                      + " ("
                      + alert.summary()
                      + ") for topic "
                      + topic
                      + ": "
                      + e.getMessage());
            }
          });
    } catch (RuntimeException e) {
      LOG.warning(
          "Alert "
              + alert.kind()
              + " ("
              + alert.summary()
              + ") not published to "
              + topic
              + ": "
              + e.getMessage());
    }
  }

  /**
   * Sends what is queued and closes the producer, waiting at most about 4 s in all (a service's
   * shutdown must not hang on an unreachable broker).
   */
  @Override
  public void close() {
    sender.shutdown();
    try {
      if (!sender.awaitTermination(2, TimeUnit.SECONDS)) {
        sender.shutdownNow();
        sender.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (producer != null) {
      producer.close(Duration.ofSeconds(2));
    }
  }
}
