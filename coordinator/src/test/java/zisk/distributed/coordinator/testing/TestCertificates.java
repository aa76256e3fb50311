package zisk.distributed.coordinator.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time (none is checked in): a CA, and server and client certificates it
 * signs, written as PEM files the way openssl writes them (certificates, PKCS#8 keys).
 */
public final class TestCertificates {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  /** A certificate file and its key file. */
  public record Issued(Path certFile, Path keyFile) {}

  private TestCertificates() {}

  /** A fresh self-signed CA whose certificate is written to {@code dir/NAME-ca.pem}. */
  public static Authority authority(Path dir, String name) {
    KeyPair keys = newKeyPair();
    X500Name subject = new X500Name("CN=" + name);
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  subject,
                  serial(),
                  Date.from(now.minus(Duration.ofHours(1))),
                  Date.from(now.plus(Duration.ofDays(1))),
                  subject,
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      X509Certificate certificate = sign(builder, keys.getPrivate());
      Path certFile = dir.resolve(name + "-ca.pem");
      writePem(certFile, certificate);
      return new Authority(dir, subject, keys, certFile);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A CA that signs certificates into its directory. */
  public static final class Authority {
    private final Path dir;
    private final X500Name subject;
    private final KeyPair keys;
    private final Path certFile;

    private Authority(Path dir, X500Name subject, KeyPair keys, Path certFile) {
      this.dir = dir;
      this.subject = subject;
      this.keys = keys;
      this.certFile = certFile;
    }

    /** The CA certificate, to trust. */
    public Path certFile() {
      return certFile;
    }

    /** A server certificate for localhost and 127.0.0.1, valid now. */
    public Issued server(String name) {
      Instant now = Instant.now();
      return issue(name, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)));
    }

    /** A server certificate for localhost and 127.0.0.1 that expired yesterday. */
    public Issued expiredServer(String name) {
      Instant now = Instant.now();
      return issue(name, now.minus(Duration.ofDays(3)), now.minus(Duration.ofDays(1)));
    }

    /** A client certificate (its name is the prover's or client's), valid now. */
    public Issued client(String name) {
      return server(name);
    }

    private Issued issue(String name, Instant notBefore, Instant notAfter) {
      KeyPair leafKeys = newKeyPair();
      try {
        X509v3CertificateBuilder builder =
            new JcaX509v3CertificateBuilder(
                    subject,
                    serial(),
                    Date.from(notBefore),
                    Date.from(notAfter),
                    new X500Name("CN=" + name),
                    leafKeys.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(
                    Extension.keyUsage,
                    true,
                    new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                .addExtension(
                    Extension.extendedKeyUsage,
                    false,
                    new ExtendedKeyUsage(
                        new KeyPurposeId[] {
                          KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth
                        }))
                .addExtension(
                    Extension.subjectAlternativeName,
                    false,
                    new GeneralNames(
                        new GeneralName[] {
                          new GeneralName(GeneralName.dNSName, "localhost"),
                          new GeneralName(
                              GeneralName.iPAddress,
                              InetAddress.getLoopbackAddress().getHostAddress())
                        }));
        X509Certificate certificate = sign(builder, keys.getPrivate());
        Issued issued = new Issued(dir.resolve(name + ".pem"), dir.resolve(name + "-key.pem"));
        writePem(issued.certFile(), certificate);
        writePkcs8(issued.keyFile(), leafKeys.getPrivate());
        return issued;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writePem(Path file, X509Certificate certificate) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
      writer.writeObject(certificate);
    }
    Files.writeString(file, text.toString());
  }

  /** PKCS#8, as {@code openssl genpkey} writes it. */
  private static void writePkcs8(Path file, PrivateKey key) throws IOException {
    String body = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded());
    Files.writeString(
        file, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
  }
}
