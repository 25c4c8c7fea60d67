package io.tributary.testing;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The header block of an HTTP/1.1 request as {@link FaultInjectingProxy} received it, and how the
 * request's body is framed: {@code Content-Length} bytes, a chunked body up to its trailers, or none.
 *
 * @param contentLength the body's length when not chunked (0 for none)
 */
record HttpRequestHead(byte[] bytes, String method, String target, long contentLength, boolean chunked,
    boolean expectsContinue) {
  private static final int MAX_HEAD_BYTES = 64 * 1024;
  private static final int MAX_LINE_BYTES = 8 * 1024;

  /** Reads the next header block; null if the client closed the connection before its first byte. */
  static HttpRequestHead read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
    int next = in.read();
    // A client may send empty lines before a request (RFC 9112, section 2.2).
    while (next == '\r' || next == '\n') {
      next = in.read();
    }
    if (next < 0) {
      return null;
    }
    int newlines = 0;
    while (true) {
      head.write(next);
      if (next == '\n') {
        newlines++;
        if (newlines == 2) {
          return parse(head.toByteArray());
        }
      } else if (next != '\r') {
        newlines = 0;
      }
      if (head.size() > MAX_HEAD_BYTES) {
        throw new ProtocolException("request header block longer than " + MAX_HEAD_BYTES + " bytes");
      }
      next = in.read();
      if (next < 0) {
        throw new EOFException("client closed the connection within a request header block");
      }
    }
  }

  private static HttpRequestHead parse(byte[] bytes) throws ProtocolException {
    String[] lines = new String(bytes, StandardCharsets.ISO_8859_1).split("\r?\n");
    String[] requestLine = lines[0].split(" ");
    if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
      throw new ProtocolException("not an HTTP/1.x request line: " + lines[0]);
    }
    long contentLength = 0;
    boolean chunked = false;
    boolean expectsContinue = false;
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> contentLength = parseContentLength(value);
        // The last coding is chunked on every request with a body of unknown length (RFC 9112, 6.1).
        case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).endsWith("chunked");
        case "expect" -> expectsContinue = value.equalsIgnoreCase("100-continue");
        default -> {
          // Other headers do not change the framing.
        }
      }
    }
    return new HttpRequestHead(bytes, requestLine[0], requestLine[1], chunked ? 0 : contentLength, chunked, expectsContinue);
  }

  private static long parseContentLength(String value) throws ProtocolException {
    try {
      long length = Long.parseLong(value);
      if (length >= 0) {
        return length;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new ProtocolException("invalid Content-Length: " + value);
  }

  /** Copies the body that follows this header block from {@code in} to {@code out}. */
  void copyBody(InputStream in, OutputStream out, byte[] buffer) throws IOException {
    if (!chunked) {
      copyExactly(in, out, contentLength, buffer);
      return;
    }
    while (true) {
      byte[] sizeLine = readLine(in);
      out.write(sizeLine);
      long size = chunkSize(sizeLine);
      if (size == 0) {
        break;
      }
      // The chunk's data and the CRLF after it.
      copyExactly(in, out, size + 2, buffer);
    }
    // Trailer fields, up to an empty line.
    byte[] line;
    do {
      line = readLine(in);
      out.write(line);
    } while (!isEmptyLine(line));
  }

  private static boolean isEmptyLine(byte[] line) {
    return line.length == 1 || (line.length == 2 && line[0] == '\r');
  }

  private static void copyExactly(InputStream in, OutputStream out, long length, byte[] buffer) throws IOException {
    long remaining = length;
    while (remaining > 0) {
      int read = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
      if (read < 0) {
        throw new EOFException("client closed the connection " + remaining + " bytes before the end of a request body");
      }
      out.write(buffer, 0, read);
      remaining -= read;
    }
  }

  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream(16);
    int next;
    do {
      next = in.read();
      if (next < 0) {
        throw new EOFException("client closed the connection within a chunked request body");
      }
      line.write(next);
      if (line.size() > MAX_LINE_BYTES) {
        throw new ProtocolException("line longer than " + MAX_LINE_BYTES + " bytes in a chunked request body");
      }
    } while (next != '\n');
    return line.toByteArray();
  }

  private static long chunkSize(byte[] sizeLine) throws ProtocolException {
    String line = new String(sizeLine, StandardCharsets.ISO_8859_1).trim();
    int end = line.indexOf(';');
    String hex = (end >= 0 ? line.substring(0, end) : line).trim();
    try {
      long size = Long.parseLong(hex, 16);
      if (size >= 0) {
        return size;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new ProtocolException("invalid chunk size line: " + line);
  }
}
