package io.tributary.loadtests.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ChildJvmTest {
  /**
   * A process whose child burned CPU and ended: the tree's CPU time keeps the child's, as the
   * kernel moves it into the parent's time of ended children.
   */
  @Test
  void aProcessTreesCpuTimeKeepsTheTimeOfChildrenThatEnded() throws Exception {
    Process shell = new ProcessBuilder("sh", "-c",
        "(i=0; while [ $i -lt 500000 ]; do i=$((i+1)); done) & wait; echo ended; read line").start();
    try (BufferedReader output = new BufferedReader(new InputStreamReader(shell.getInputStream(),
        StandardCharsets.UTF_8))) {
      assertThat(output.readLine()).isEqualTo("ended");
      assertThat(ChildJvm.parentOf(shell.pid())).hasValue(ProcessHandle.current().pid());
      assertThat(ChildJvm.cpuSeconds(shell.pid())).as("the shell's own time").isLessThan(0.05);
      assertThat(ChildJvm.treeCpuSeconds(shell.pid())).as("with its ended child's").isGreaterThanOrEqualTo(0.05);
    } finally {
      shell.destroy();
      shell.waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(ChildJvm.treeCpuSeconds(shell.pid())).as("once the process is gone").isNaN();
    assertThat(ChildJvm.parentOf(shell.pid())).isEmpty();
  }
}
