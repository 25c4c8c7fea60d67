package io.tributary.gateway.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.DebeziumException;
import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class CaptureRunTest {
  @Test
  void anEngineFailureNamesTheDeepestMessageAmongItsCauses() {
    // How Debezium reports a DDL statement its parser refuses: the parser's own exception has no message.
    Throwable parser = new IllegalStateException((String) null);
    Throwable parsing = new DebeziumException("DDL statement couldn't be parsed: 'CREATE TABLE t (a inet4)'", parser);
    Throwable error = new DebeziumException("An exception occurred in the change event producer. This connector will"
        + " be stopped.", new DebeziumException(new ExecutionException(parsing)));
    TributaryException failure = CaptureRun.engineFailure("shop", error);
    assertThat(failure.code()).isEqualTo(ErrorCode.INTERNAL);
    assertThat(failure).hasMessage("The capture engine of source shop failed: An exception occurred in the change"
        + " event producer. This connector will be stopped. (DDL statement couldn't be parsed: 'CREATE TABLE t (a"
        + " inet4)')");
  }

  @Test
  void theGatewaysOwnErrorIsReportedAsItIs() {
    TributaryException own = new TributaryException(ErrorCode.UNSUPPORTED_TYPE, "Column 'tags' of table ...");
    assertThat(CaptureRun.engineFailure("shop", new DebeziumException(new RuntimeException(own)))).isSameAs(own);
    assertThat(CaptureRun.engineFailure("shop", new DebeziumException("stopped")))
        .hasMessage("The capture engine of source shop failed: stopped");
  }
}
