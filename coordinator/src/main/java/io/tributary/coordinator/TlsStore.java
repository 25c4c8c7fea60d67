package io.tributary.coordinator;

import static java.util.Objects.requireNonNull;

import io.tributary.staging.TributaryException;
import io.tributary.staging.TributaryException.ErrorCode;
import io.tributary.staging.config.ConfigReader;
import io.tributary.staging.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A PKCS#12 (or JKS) key store file and its password: the coordinator's certificate and key
 * ({@code coordinator.tls.keystore}), or the certificates a client trusts
 * ({@code coordinator.tls.truststore}). The password is never part of a message.
 */
public record TlsStore(Path path, Secret password) {
  public TlsStore {
    requireNonNull(path, "path is null");
    requireNonNull(password, "password is null");
  }

  /**
   * Reads {@code <name>} and {@code <name>-password} of the {@code tls} section; both or neither
   * must be set. Problems are recorded in the reader.
   */
  public static Optional<TlsStore> from(ConfigReader tls, String name, String description) {
    Optional<String> path = tls.optionalString(name, description + " (PKCS#12 or JKS file)");
    Optional<Secret> password = tls.secret(name + "-password", "Password of " + name);
    if (path.isEmpty() && password.isEmpty()) {
      return Optional.empty();
    }
    if (path.isEmpty() || path.get().isBlank()) {
      tls.problem(name, "", "must be set when " + name + "-password is");
      return Optional.empty();
    }
    if (password.isEmpty()) {
      tls.problem(name + "-password", "", "must be set: the password of " + path.get());
      return Optional.empty();
    }
    Path file = Path.of(path.get());
    if (!Files.isReadable(file)) {
      tls.problem(name, path.get(), "is not a readable file");
      return Optional.empty();
    }
    return Optional.of(new TlsStore(file, password.get()));
  }

  /** An SSL context presenting this store's key and certificate: for the server. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(load(), password.reveal().toCharArray());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw invalid(e);
    }
  }

  /** An SSL context trusting this store's certificates: for clients of a coordinator whose certificate no public CA signed. */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(load());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw invalid(e);
    }
  }

  private KeyStore load() throws GeneralSecurityException {
    try (InputStream in = Files.newInputStream(path)) {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(in, password.reveal().toCharArray());
      return store;
    } catch (IOException e) {
      // A wrong password surfaces here too; its message never contains the password.
      throw new TributaryException(ErrorCode.CONFIG_INVALID, "Cannot read key store " + path + ": " + e.getMessage()
          + "; check the file and its password", e);
    }
  }

  private TributaryException invalid(GeneralSecurityException e) {
    return new TributaryException(ErrorCode.CONFIG_INVALID, "Key store " + path + " cannot be used for TLS: " + e.getMessage(), e);
  }
}
