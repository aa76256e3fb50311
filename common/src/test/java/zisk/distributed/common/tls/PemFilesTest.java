package zisk.distributed.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import zisk.distributed.common.config.ConfigException;

/** What operators get wrong in PEM files, and the message each mistake gets. */
class PemFilesTest {

  @TempDir Path dir;

  @Test
  void readsAPkcs8KeyOfEachCommonAlgorithm() throws Exception {
    for (String algorithm : new String[] {"RSA", "EC", "Ed25519"}) {
      KeyPair keys = KeyPairGenerator.getInstance(algorithm).generateKeyPair();
      Path file = pem(algorithm + ".pem", "PRIVATE KEY", keys.getPrivate().getEncoded());

      assertEquals(keys.getPrivate(), PemFiles.privateKey("key_file", file));
    }
  }

  @Test
  void aPkcs1KeyIsRefusedWithTheCommandThatConvertsIt() throws Exception {
    Path file = pem("rsa.pem", "RSA PRIVATE KEY", new byte[] {1, 2, 3});

    ConfigException error =
        assertThrows(ConfigException.class, () -> PemFiles.privateKey("key_file", file));

    assertTrue(
        error.getMessage().contains("openssl pkcs8 -topk8 -nocrypt -in " + file),
        error.getMessage());
  }

  @Test
  void anEncryptedKeyIsRefused() throws Exception {
    Path file = pem("enc.pem", "ENCRYPTED PRIVATE KEY", new byte[] {1, 2, 3});

    ConfigException error =
        assertThrows(ConfigException.class, () -> PemFiles.privateKey("key_file", file));

    assertTrue(error.getMessage().contains("holds an encrypted key"), error.getMessage());
  }

  @Test
  void aFileWithoutTheExpectedBlockSaysWhatItLacks() throws Exception {
    Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");

    assertEquals(
        "cert_file: " + text + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
        assertThrows(ConfigException.class, () -> PemFiles.certificates("cert_file", text))
            .getMessage());
    assertEquals(
        "key_file: " + text + " holds no PEM private key (-----BEGIN PRIVATE KEY-----)",
        assertThrows(ConfigException.class, () -> PemFiles.privateKey("key_file", text))
            .getMessage());
  }

  @Test
  void aDamagedCertificateIsReportedNotThrownAsAnInternalError() throws Exception {
    Path file = pem("broken.pem", "CERTIFICATE", new byte[] {0x30, 0x03, 1, 2, 3});

    ConfigException error =
        assertThrows(ConfigException.class, () -> PemFiles.certificates("ca_file", file));

    assertTrue(error.getMessage().startsWith("ca_file: " + file + " holds a certificate that"));
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("missing.pem");

    assertEquals(
        "ca_file: " + missing + ": the file does not exist",
        assertThrows(ConfigException.class, () -> PemFiles.certificates("ca_file", missing))
            .getMessage());
  }

  private Path pem(String name, String type, byte[] der) throws Exception {
    return Files.writeString(
        dir.resolve(name),
        "-----BEGIN "
            + type
            + "-----\n"
            + Base64.getMimeEncoder().encodeToString(der)
            + "\n-----END "
            + type
            + "-----\n");
  }
}
