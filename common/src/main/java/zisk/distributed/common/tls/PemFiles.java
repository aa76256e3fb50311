package zisk.distributed.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import zisk.distributed.common.config.ConfigException;
import zisk.distributed.common.config.LayeredConfig;

/**
 * Reads the PEM files TLS is configured with, using the JDK alone, so that a bad file stops the
 * program at start with a message naming the setting, the file and what is wrong with it (rather
 * than a transport failure on the first connection).
 *
 * <p>Certificates: one or more {@code BEGIN CERTIFICATE} blocks. Private keys: an unencrypted
 * PKCS#8 {@code BEGIN PRIVATE KEY} block (RSA, EC or Ed25519), what {@code openssl genpkey} and
 * {@code openssl req -newkey ... -nodes} write.
 */
public final class PemFiles {

  /** PEM files are small; a larger one is a mistake (a directory dump, a device). */
  static final long MAX_BYTES = 1024 * 1024;

  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----", Pattern.DOTALL);
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private PemFiles() {}

  /**
   * Fails unless the file exists, is a regular file and can be read.
   *
   * @param setting the setting that named it, for the message (for example server.tls.cert_file)
   */
  public static void requireReadable(String setting, Path file) {
    LayeredConfig.unreadable(file)
        .ifPresent(
            why -> {
              throw new ConfigException(setting + ": " + file + ": " + why);
            });
  }

  /** Every certificate in the file, in order (a server's chain: its own first). */
  public static List<X509Certificate> certificates(String setting, Path file) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Block block : blocks(setting, file)) {
        if (block.type().equals("CERTIFICATE")) {
          certificates.add(
              (X509Certificate)
                  factory.generateCertificate(new ByteArrayInputStream(block.der(setting, file))));
        }
      }
    } catch (CertificateException e) {
      throw new ConfigException(
          setting + ": " + file + " holds a certificate that cannot be parsed: " + e.getMessage(),
          e);
    }
    if (certificates.isEmpty()) {
      throw new ConfigException(
          setting + ": " + file + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return certificates;
  }

  /** The one private key in the file. */
  public static PrivateKey privateKey(String setting, Path file) {
    for (Block block : blocks(setting, file)) {
      switch (block.type()) {
        case "PRIVATE KEY" -> {
          return pkcs8(setting, file, block.der(setting, file));
        }
        case "RSA PRIVATE KEY", "EC PRIVATE KEY" ->
            throw new ConfigException(
                setting
                    + ": "
                    + file
                    + " holds a "
                    + block.type()
                    + " (PKCS#1/SEC1); convert it to PKCS#8 with: openssl pkcs8 -topk8 -nocrypt -in "
                    + file
                    + " -out key.pem");
        case "ENCRYPTED PRIVATE KEY" ->
            throw new ConfigException(
                setting
                    + ": "
                    + file
                    + " holds an encrypted key; give an unencrypted PKCS#8 key (openssl pkcs8"
                    + " -topk8 -nocrypt) and protect the file with its permissions");
        default -> {
          // Certificates may share the file with the key; keep looking.
        }
      }
    }
    throw new ConfigException(
        setting + ": " + file + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
  }

  private static PrivateKey pkcs8(String setting, Path file, byte[] der) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (InvalidKeySpecException | java.security.NoSuchAlgorithmException e) {
        // Not this algorithm; try the next.
      }
    }
    throw new ConfigException(
        setting + ": " + file + " holds a private key that is not RSA, EC or Ed25519 PKCS#8");
  }

  private record Block(String type, String base64) {
    byte[] der(String setting, Path file) {
      try {
        return Base64.getMimeDecoder().decode(base64);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(setting + ": " + file + " has a damaged " + type + " block", e);
      }
    }
  }

  private static List<Block> blocks(String setting, Path file) {
    requireReadable(setting, file);
    String text;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new ConfigException(
            setting + ": " + file + " is larger than " + MAX_BYTES + " bytes; not a PEM file");
      }
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new ConfigException(setting + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    List<Block> blocks = new ArrayList<>();
    Matcher matcher = BLOCK.matcher(text);
    while (matcher.find()) {
      blocks.add(new Block(matcher.group(1), matcher.group(2)));
    }
    return blocks;
  }
}
