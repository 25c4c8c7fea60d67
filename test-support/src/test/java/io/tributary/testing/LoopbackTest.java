package io.tributary.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LoopbackTest {

  @Test
  void handsOutDistinctBindablePorts() {
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      int port = Loopback.freePort();
      assertThat(Loopback.isBindable(port)).isTrue();
      ports.add(port);
    }
    assertThat(ports).hasSize(20);
    assertThat(Loopback.address().getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  void aBoundPortIsNotBindable() throws Exception {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(Loopback.address(), 0));
      assertThat(Loopback.isBindable(socket.getLocalPort())).isFalse();
    }
  }

  @Test
  void rejectsPortsOutOfRange() {
    assertThatThrownBy(() -> Loopback.isBindable(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be between 1 and 65535: 0");
  }
}
