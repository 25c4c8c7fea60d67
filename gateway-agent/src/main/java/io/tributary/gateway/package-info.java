/**
 * The gateway agent: captures one source database with Debezium, stages its changes as segments,
 * announces each segment on the Kafka manifest log and only then commits the capture position.
 * {@link io.tributary.gateway.GatewayService} is the composition root, configured by
 * {@link io.tributary.gateway.GatewayConfig#from}.
 */
package io.tributary.gateway;
