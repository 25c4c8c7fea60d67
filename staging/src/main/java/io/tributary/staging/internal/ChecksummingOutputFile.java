package io.tributary.staging.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;

/**
 * A local Parquet output file that computes the CRC32C of every byte written and forces the file to
 * disk when closed, so a finished segment is durable before it is made visible.
 */
public final class ChecksummingOutputFile implements OutputFile {
  private final Path path;
  private final CRC32C crc = new CRC32C();
  private long length;

  public ChecksummingOutputFile(Path path) {
    this.path = path;
  }

  @Override
  public PositionOutputStream create(long blockSizeHint) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return new Stream(channel);
  }

  @Override
  public PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
    throw new IOException("Segment spool files are never overwritten: " + path);
  }

  @Override
  public boolean supportsBlockSize() {
    return false;
  }

  @Override
  public long defaultBlockSize() {
    return 0;
  }

  @Override
  public String getPath() {
    return path.toString();
  }

  /** The checksum of the bytes written, in the form manifests carry: {@code crc32c:xxxxxxxx}. */
  public String checksum() {
    return formatChecksum(crc.getValue());
  }

  public long length() {
    return length;
  }

  public static String formatChecksum(long crc32c) {
    return String.format("crc32c:%08x", crc32c);
  }

  private final class Stream extends PositionOutputStream {
    private static final int BUFFER_SIZE = 1 << 16;
    private final FileChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE);
    private boolean closed;

    Stream(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public long getPos() {
      return length;
    }

    @Override
    public void write(int b) throws IOException {
      if (!buffer.hasRemaining()) {
        drain();
      }
      buffer.put((byte) b);
      crc.update(b);
      length++;
    }

    @Override
    public void write(byte[] bytes, int offset, int count) throws IOException {
      crc.update(bytes, offset, count);
      length += count;
      while (count > 0) {
        if (!buffer.hasRemaining()) {
          drain();
        }
        int chunk = Math.min(count, buffer.remaining());
        buffer.put(bytes, offset, chunk);
        offset += chunk;
        count -= chunk;
      }
    }

    private void drain() throws IOException {
      buffer.flip();
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      buffer.clear();
    }

    @Override
    public void flush() throws IOException {
      drain();
    }

    @Override
    public void close() throws IOException {
      if (closed) {
        return;
      }
      closed = true;
      try (channel) {
        drain();
        channel.force(true);
      }
    }
  }
}
