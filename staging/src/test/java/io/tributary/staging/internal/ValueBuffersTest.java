package io.tributary.staging.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ValueBuffersTest {
  @Test
  void anArrayGivenBackIsTakenAgainLastInFirstOut() {
    ValueBuffers buffers = new ValueBuffers(1 << 20, 1 << 18);
    byte[] first = buffers.take();
    assertThat(first).hasSize(ValueBuffers.INITIAL_BYTES);
    byte[] grown = new byte[4096];
    buffers.give(first);
    buffers.give(grown);
    assertThat(buffers.idleBytes()).isEqualTo(ValueBuffers.INITIAL_BYTES + 4096);
    assertThat(buffers.take()).isSameAs(grown);
    assertThat(buffers.take()).isSameAs(first);
    assertThat(buffers.idleBytes()).isZero();
    assertThat(buffers.take()).isNotSameAs(first).isNotSameAs(grown).hasSize(ValueBuffers.INITIAL_BYTES);
  }

  @Test
  void keepsNoMoreThanItsBoundsAllow() {
    ValueBuffers buffers = new ValueBuffers(10_000, 4096);
    buffers.give(new byte[5000]);
    assertThat(buffers.idleBytes()).as("larger than the largest array kept").isZero();
    buffers.give(new byte[4096]);
    buffers.give(new byte[4096]);
    buffers.give(new byte[4096]);
    assertThat(buffers.idleBytes()).as("no more idle bytes than the bound").isEqualTo(8192);
    buffers.give(new byte[0]);
    assertThat(buffers.idleBytes()).isEqualTo(8192);

    ValueBuffers keepingNothing = new ValueBuffers(0, 0);
    keepingNothing.give(new byte[1024]);
    assertThat(keepingNothing.idleBytes()).isZero();
    assertThatThrownBy(() -> new ValueBuffers(-1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
