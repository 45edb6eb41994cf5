package dev.rmm.contracts.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

class KafkaClientsTest {

  private static final String NOWHERE = "127.0.0.1:1";

  @Test
  void givenBarePropertiesWithoutSecuritySettings_whenAClientIsOpened_thenItIsRefusedAtOnce() {
    Properties bare = new Properties();
    bare.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, NOWHERE);

    assertThatThrownBy(() -> KafkaClients.admin(bare))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without security settings");
    assertThatThrownBy(() -> KafkaClients.consumer(bare))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> KafkaClients.producer(bare))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void givenPropertiesBuiltByContracts_whenClientsAreOpened_thenTheyCarryTheSecuritySettings() {
    Properties admin = KafkaClients.adminProperties(NOWHERE);
    assertThat(admin).containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "PLAINTEXT");

    try (Admin a = KafkaClients.admin(admin);
        KafkaConsumer<String, byte[]> c = KafkaClients.consumer(LogConsumers.properties(NOWHERE));
        KafkaProducer<String, byte[]> p = KafkaClients.producer(Producers.properties(NOWHERE))) {
      assertThat(a).isNotNull();
      assertThat(c.assignment()).isEmpty();
      assertThat(p.metrics()).isNotEmpty();
    }
  }
}
