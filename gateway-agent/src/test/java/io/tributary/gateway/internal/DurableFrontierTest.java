package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DurableFrontierTest {
  private final DurableFrontier<String> frontier = new DurableFrontier<>();

  @Test
  void nothingDeliveredHasNoFrontier() {
    assertThat(frontier.advance()).isEmpty();
    assertThat(frontier.frontier()).isEmpty();
  }

  @Test
  void recordsWithoutChangesAdvanceTheFrontier() {
    frontier.deliver("heartbeat-1");
    assertThat(frontier.advance()).contains("heartbeat-1");
    assertThat(frontier.advance()).as("unchanged frontier is not returned twice").isEmpty();
    frontier.deliver("heartbeat-2");
    assertThat(frontier.advance()).contains("heartbeat-2");
  }

  @Test
  void anOpenSegmentHoldsTheFrontierBeforeItsFirstChange() {
    frontier.deliver("r1");
    frontier.hold("orders");
    frontier.deliver("r2");
    frontier.deliver("heartbeat");
    assertThat(frontier.advance()).as("r1 opened the segment: nothing before it").isEmpty();

    frontier.release("orders");
    assertThat(frontier.advance()).contains("heartbeat");
  }

  @Test
  void theOldestHoldWinsAcrossTables() {
    frontier.deliver("r1");                // orders: opens a segment
    frontier.hold("orders");
    frontier.deliver("r2");                // customers: opens a segment
    frontier.hold("customers");
    frontier.deliver("r3");                // orders: appended to its open segment
    frontier.release("orders");            // orders' segment (r1, r3) acknowledged
    assertThat(frontier.advance()).as("customers still holds everything from r2 on").contains("r1");

    frontier.deliver("r4");                // orders: opens a new segment
    frontier.hold("orders");
    frontier.release("customers");
    assertThat(frontier.advance()).as("the new orders segment holds from r4 on").contains("r3");
    frontier.release("orders");
    assertThat(frontier.advance()).contains("r4");
  }

  @Test
  void holdingTwiceKeepsTheFirstHold() {
    frontier.deliver("r1");
    frontier.deliver("r2");
    frontier.hold("orders");
    frontier.deliver("r3");
    frontier.hold("orders");
    assertThat(frontier.frontier()).contains("r1");
  }

  @Test
  void aSegmentOpenedAndFinishedByTheSameRecordDoesNotHold() {
    frontier.deliver("r1");
    frontier.hold("orders");
    frontier.release("orders");
    assertThat(frontier.advance()).contains("r1");
    assertThat(frontier.holding()).isFalse();
  }
}
