package io.tributary.staging;

/** The kind of change an event carries, with the one-letter codes Debezium uses. */
public enum Operation {
  INSERT("c"),
  UPDATE("u"),
  DELETE("d"),
  SNAPSHOT_READ("r"),
  TRUNCATE("t");

  private final String code;

  Operation(String code) {
    this.code = code;
  }

  /** The one-letter code stored in the {@code _op} column of a segment. */
  public String code() {
    return code;
  }

  /** Whether the event leaves a row in place (insert, update or snapshot read). */
  public boolean isUpsert() {
    return this == INSERT || this == UPDATE || this == SNAPSHOT_READ;
  }

  public static Operation fromCode(String code) {
    for (Operation operation : values()) {
      if (operation.code.equals(code)) {
        return operation;
      }
    }
    throw new IllegalArgumentException("Unknown operation code '" + code + "': expected one of c, u, d, r, t");
  }
}
