/**
 * Real-server fixtures for integration tests and for the {@code quickstart}/{@code standalone}
 * launcher: each {@link io.tributary.testing.ManagedServer} runs a real server bound to
 * {@code 127.0.0.1} only, on free ports, with its data under a caller-given directory.
 */
package io.tributary.testing;
