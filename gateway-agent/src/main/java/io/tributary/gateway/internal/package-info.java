/**
 * The gateway's machinery: the Debezium engine run ({@code CaptureRun}), the durability chain
 * ({@code ChangeBatchHandler}, {@code SegmentPipeline}, {@code DurableFrontier},
 * {@code DurableOffsetStore}), mapping of Debezium records to staging change events
 * ({@code RecordMapper}, {@code ConnectTypeMapper}) and the connector-specific parts behind
 * {@code SourceConnector} and {@code PositionExtractor} (PostgreSQL now).
 */
package io.tributary.gateway.internal;
