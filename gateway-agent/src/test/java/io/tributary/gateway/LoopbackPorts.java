package io.tributary.gateway;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import io.tributary.testing.Loopback;
import org.testcontainers.containers.GenericContainer;

/**
 * Publishes a container's port on 127.0.0.1 only (Docker publishes on every interface by default), on
 * a free port: test servers listen on the loopback interface only.
 */
final class LoopbackPorts {
  private LoopbackPorts() {}

  static <T extends GenericContainer<T>> T publish(T container, int containerPort) {
    int hostPort = Loopback.freePort();
    return container.withCreateContainerCmdModifier(command -> command.getHostConfig()
        .withPublishAllPorts(false)
        .withPortBindings(new PortBinding(Ports.Binding.bindIpAndPort("127.0.0.1", hostPort),
            ExposedPort.tcp(containerPort))));
  }
}
