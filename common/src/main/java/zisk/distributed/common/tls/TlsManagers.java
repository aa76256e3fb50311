package zisk.distributed.common.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import zisk.distributed.common.config.ConfigException;

/**
 * Turns PEM files into the JDK's key and trust managers, which gRPC's {@code TlsServerCredentials}
 * and {@code TlsChannelCredentials} take as they are. Both sides of every connection (coordinator,
 * workers, client commands) build their TLS from here, so they accept the same files.
 */
public final class TlsManagers {

  private static final char[] NO_PASSWORD = new char[0];

  private TlsManagers() {}

  /**
   * The identity this side presents: a certificate chain and its private key.
   *
   * @param certSetting the setting naming the certificate file, for messages
   * @param keySetting the setting naming the key file, for messages
   */
  public static KeyManager[] keyManagers(
      String certSetting, Path certFile, String keySetting, Path keyFile) {
    List<X509Certificate> chain = PemFiles.certificates(certSetting, certFile);
    PrivateKey key = PemFiles.privateKey(keySetting, keyFile);
    requireMatching(chain.get(0), key, certFile, keySetting, keyFile);
    try {
      KeyStore store = emptyStore();
      store.setKeyEntry("identity", key, NO_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, NO_PASSWORD);
      return factory.getKeyManagers();
    } catch (GeneralSecurityException e) {
      throw new ConfigException(
          keySetting + ": cannot use the key in " + keyFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * A key from another certificate would only show at the first handshake, as a failure the peer
   * reports vaguely; a test signature finds it at start.
   */
  private static void requireMatching(
      X509Certificate leaf, PrivateKey key, Path certFile, String keySetting, Path keyFile) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default -> key.getAlgorithm(); // Ed25519, Ed448
        };
    byte[] probe = "zisk-tls-key-check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    boolean matches;
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(probe);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new ConfigException(
          keySetting
              + ": the key in "
              + keyFile
              + " does not belong to the first certificate in "
              + certFile);
    }
  }

  /** Trusts exactly the certificates (CAs) in the file, and nothing from the system store. */
  public static TrustManager[] trustManagers(String setting, Path caFile) {
    List<X509Certificate> authorities = PemFiles.certificates(setting, caFile);
    try {
      KeyStore store = emptyStore();
      for (int i = 0; i < authorities.size(); i++) {
        store.setCertificateEntry("ca-" + i, authorities.get(i));
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (GeneralSecurityException e) {
      throw new ConfigException(setting + ": cannot trust " + caFile + ": " + e.getMessage(), e);
    }
  }

  /**
   * Why the first certificate in the file is not valid at {@code now} (expired, or not yet valid),
   * if it is not; for a start-up warning, since a peer will refuse it.
   */
  public static Optional<String> validityProblem(String setting, Path certFile, Instant now) {
    X509Certificate leaf = PemFiles.certificates(setting, certFile).get(0);
    if (now.isAfter(leaf.getNotAfter().toInstant())) {
      return Optional.of(
          setting
              + ": the certificate in "
              + certFile
              + " expired at "
              + leaf.getNotAfter().toInstant());
    }
    if (now.isBefore(leaf.getNotBefore().toInstant())) {
      return Optional.of(
          setting
              + ": the certificate in "
              + certFile
              + " is not valid before "
              + leaf.getNotBefore().toInstant());
    }
    return Optional.empty();
  }

  private static KeyStore emptyStore() throws GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException("an empty key store cannot fail to load", e);
    }
    return store;
  }
}
