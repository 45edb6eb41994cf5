package dev.rmm.orchestrator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rmm.contracts.Actor;
import dev.rmm.contracts.CommandCodec;
import dev.rmm.contracts.Decision;
import dev.rmm.contracts.EventCodec;
import dev.rmm.contracts.EventEnvelope;
import dev.rmm.contracts.ReleaseDecider;
import dev.rmm.contracts.ReleaseEvent;
import dev.rmm.contracts.ReleaseState;
import dev.rmm.contracts.audit.EventChain;
import dev.rmm.contracts.kafka.KafkaClients;
import dev.rmm.contracts.kafka.LogConsumers;
import dev.rmm.contracts.kafka.Producers;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * release-api's writer as the orchestrator meets it, for tests of the orchestrator alone: it reads
 * the orchestrator's commands from the real broker, decides them with the domain's own {@link
 * ReleaseDecider} against the release as its events make it, appends the accepted events to the
 * event log, chained as release-api chains them, and answers on the results topic. Releases are put
 * in the state a test needs with {@link #seed}. The one writer of its topics, so it keeps the
 * releases in memory (release-api's partition ownership, snapshots and policies are not needed
 * here).
 */
final class WriterStandIn implements AutoCloseable {

  private final String eventsTopic;
  private final String resultsTopic;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<String, byte[]> commands;
  private final Thread thread;
  private final Map<String, ReleaseState> states = new HashMap<>();
  private final Map<String, String> heads = new HashMap<>();
  private final Map<String, Integer> partitions = new HashMap<>();
  private volatile boolean running = true;

  WriterStandIn(String bootstrap, String events, String commandsTopic, String results) {
    this.eventsTopic = events;
    this.resultsTopic = results;
    this.producer = KafkaClients.producer(Producers.properties(bootstrap));
    this.commands = KafkaClients.consumer(LogConsumers.properties(bootstrap));
    TopicPartition tp = new TopicPartition(commandsTopic, 0);
    commands.assign(List.of(tp));
    commands.seekToBeginning(List.of(tp));
    thread = new Thread(this::serve, "writer-stand-in");
    thread.setDaemon(true);
    thread.start();
  }

  /** Appends {@code events} to a release as the system (how it got where the test begins). */
  synchronized void seed(String releaseId, int partition, ReleaseEvent... events) {
    partitions.put(releaseId, partition);
    for (ReleaseEvent e : events) {
      append(releaseId, Actor.system("test"), null, e);
    }
  }

  /** Decides a command as release-api would and appends what it accepted, as from {@code actor}. */
  synchronized Decision decide(
      String releaseId, dev.rmm.contracts.ReleaseCommand command, String commandId) {
    ReleaseState state = states.getOrDefault(releaseId, ReleaseState.none(releaseId));
    // release-api decides with its clock; a lapsed break-glass is judged by it (the orchestrator's
    // timer), every other command here as before, without one
    Decision d =
        command instanceof dev.rmm.contracts.ReleaseCommand.ExpireBreakGlass
            ? ReleaseDecider.decide(command, state, null, null, Instant.now())
            : ReleaseDecider.decide(command, state);
    List<ReleaseEvent> events =
        d instanceof Decision.Accepted a ? a.events() : ((Decision.Refused) d).events();
    for (ReleaseEvent e : events) {
      append(releaseId, command.actor(), commandId, e);
    }
    return d;
  }

  private void append(String releaseId, Actor actor, String causation, ReleaseEvent e) {
    ReleaseState state = states.getOrDefault(releaseId, ReleaseState.none(releaseId));
    byte[] stored =
        EventCodec.encode(
            new EventEnvelope(
                    UUID.randomUUID().toString(),
                    releaseId,
                    state.version() + 1,
                    Instant.now(),
                    actor,
                    null,
                    causation,
                    null,
                    e)
                .chainedTo(heads.getOrDefault(releaseId, EventChain.GENESIS)));
    try {
      producer
          .send(
              new ProducerRecord<>(
                  eventsTopic, partitions.getOrDefault(releaseId, 0), releaseId, stored))
          .get();
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while appending to the log", ex);
    } catch (ExecutionException ex) {
      throw new IllegalStateException("the log refused an event: " + ex.getCause(), ex);
    }
    heads.put(releaseId, EventChain.hash(stored));
    states.put(releaseId, ReleaseDecider.evolve(state, e));
  }

  private void serve() {
    try {
      while (running) {
        for (ConsumerRecord<String, byte[]> r : commands.poll(Duration.ofMillis(100))) {
          CommandCodec.Envelope c = CommandCodec.decode(r.value());
          Decision d = decide(c.command().releaseId(), c.command(), c.commandId());
          answer(c.commandId(), d);
        }
      }
    } catch (WakeupException e) {
      // closing
    }
  }

  private void answer(String commandId, Decision d) {
    ObjectNode n = EventCodec.mapper().createObjectNode();
    n.put("command_id", commandId);
    List<ReleaseEvent> events;
    if (d instanceof Decision.Refused r) {
      n.put("outcome", "refused");
      n.put("reason", r.reason().name().toLowerCase(java.util.Locale.ROOT));
      n.put("detail", r.detail());
      events = r.events();
    } else {
      n.put("outcome", "accepted");
      events = ((Decision.Accepted) d).events();
    }
    var types = n.putArray("events");
    events.forEach(e -> types.add(e.type()));
    try {
      producer
          .send(
              new ProducerRecord<>(
                  resultsTopic, commandId, EventCodec.mapper().writeValueAsBytes(n)))
          .get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot answer command " + commandId, e);
    }
  }

  @Override
  public void close() {
    running = false;
    commands.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    commands.close();
    producer.close();
  }
}
