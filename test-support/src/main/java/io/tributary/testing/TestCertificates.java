package io.tributary.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A certificate authority and a server certificate for {@value Loopback#HOST} signed by it, made
 * with the JDK's {@code keytool} for tests of TLS connections: the server's key and chain as a
 * PKCS#12 keystore (Kafka) and as PEM files (PostgreSQL), and the authority as a PKCS#12
 * truststore and a PEM file for clients. Valid for two days; nothing is ever trusted outside the
 * directory they are written to.
 *
 * @param directory where the files are
 * @param password the password of both PKCS#12 stores
 */
public record TestCertificates(Path directory, String password) {
  private static final String SERVER = "server";
  private static final String AUTHORITY = "ca";
  private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

  public TestCertificates {
    requireNonNull(directory, "directory is null");
    requireNonNull(password, "password is null");
  }

  /**
   * Generates a fresh authority and server certificate into {@code directory}.
   *
   * @throws FixtureException if {@code keytool} fails
   */
  public static TestCertificates generate(Path directory, String password) {
    TestCertificates certificates = new TestCertificates(directory.toAbsolutePath().normalize(), password);
    try {
      Files.createDirectories(certificates.directory);
      certificates.keytool("-genkeypair", "-alias", AUTHORITY, "-keyalg", "RSA", "-keysize", "2048",
          "-dname", "CN=Tributary test authority", "-ext", "bc:c", "-validity", "2",
          "-keystore", certificates.authorityKeystore().toString(), "-storetype", "PKCS12", "-storepass", password);
      certificates.keytool("-exportcert", "-rfc", "-alias", AUTHORITY, "-file", certificates.authorityPem().toString(),
          "-keystore", certificates.authorityKeystore().toString(), "-storepass", password);
      certificates.keytool("-genkeypair", "-alias", SERVER, "-keyalg", "RSA", "-keysize", "2048",
          "-dname", "CN=" + Loopback.HOST, "-validity", "2",
          "-keystore", certificates.serverKeystore().toString(), "-storetype", "PKCS12", "-storepass", password);
      Path request = certificates.directory.resolve("server.csr");
      certificates.keytool("-certreq", "-alias", SERVER, "-file", request.toString(),
          "-keystore", certificates.serverKeystore().toString(), "-storepass", password);
      Path signed = certificates.directory.resolve("server-signed.pem");
      certificates.keytool("-gencert", "-rfc", "-alias", AUTHORITY, "-infile", request.toString(),
          "-outfile", signed.toString(), "-ext", "san=ip:" + Loopback.HOST, "-ext", "eku=serverAuth",
          "-validity", "2", "-keystore", certificates.authorityKeystore().toString(), "-storepass", password);
      certificates.keytool("-importcert", "-noprompt", "-alias", AUTHORITY, "-file", certificates.authorityPem().toString(),
          "-keystore", certificates.serverKeystore().toString(), "-storepass", password);
      certificates.keytool("-importcert", "-noprompt", "-alias", SERVER, "-file", signed.toString(),
          "-keystore", certificates.serverKeystore().toString(), "-storepass", password);
      certificates.keytool("-importcert", "-noprompt", "-alias", AUTHORITY, "-file", certificates.authorityPem().toString(),
          "-keystore", certificates.truststore().toString(), "-storetype", "PKCS12", "-storepass", password);
      Files.writeString(certificates.serverCertificatePem(),
          Files.readString(signed) + Files.readString(certificates.authorityPem()), StandardCharsets.US_ASCII);
      certificates.writeServerKeyPem();
      return certificates;
    } catch (IOException | GeneralSecurityException e) {
      throw new FixtureException("Cannot generate test certificates in " + directory + ": " + e.getMessage(), e);
    }
  }

  /** The server's key and certificate chain, PKCS#12. */
  public Path serverKeystore() {
    return directory.resolve("server.p12");
  }

  /** The server's certificate followed by the authority's, PEM. */
  public Path serverCertificatePem() {
    return directory.resolve("server-chain.pem");
  }

  /** The server's private key, unencrypted PKCS#8 PEM, readable by its owner only. */
  public Path serverKeyPem() {
    return directory.resolve("server-key.pem");
  }

  /** The authority's certificate, the only entry: what clients trust, PKCS#12. */
  public Path truststore() {
    return directory.resolve("truststore.p12");
  }

  /** The authority's certificate, PEM. */
  public Path authorityPem() {
    return directory.resolve("ca.pem");
  }

  private Path authorityKeystore() {
    return directory.resolve("ca.p12");
  }

  private void writeServerKeyPem() throws IOException, GeneralSecurityException {
    KeyStore keystore = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(serverKeystore())) {
      keystore.load(in, password.toCharArray());
    }
    Key key = keystore.getKey(SERVER, password.toCharArray());
    String pem = "-----BEGIN PRIVATE KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
        + "\n-----END PRIVATE KEY-----\n";
    Path file = serverKeyPem();
    Files.deleteIfExists(file);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, pem, StandardCharsets.US_ASCII);
  }

  private void keytool(String... arguments) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(List.of(arguments));
    Path output = directory.resolve("keytool.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
    try {
      if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new FixtureException("keytool " + arguments[0] + " did not finish within " + KEYTOOL_TIMEOUT_SECONDS
            + " s; see " + output);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new FixtureException("Interrupted while running keytool " + arguments[0], e);
    }
    if (process.exitValue() != 0) {
      throw new FixtureException("keytool " + arguments[0] + " exited with " + process.exitValue() + "; see " + output);
    }
  }
}
