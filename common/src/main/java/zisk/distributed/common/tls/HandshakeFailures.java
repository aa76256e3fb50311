package zisk.distributed.common.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Says in one line why a client's connection to a coordinator failed its TLS handshake, and what to
 * check. The transport's own text is an internal of the JDK or of BoringSSL ("General OpenSslEngine
 * problem", "PKIX path building failed: sun.security...", "TLSV1_ALERT_CERTIFICATE_REQUIRED"); the
 * causes it carries say what really happened.
 */
public final class HandshakeFailures {

  private HandshakeFailures() {}

  /**
   * @param failure the exception a failed call or stream carried (its causes are searched)
   * @param usedTls whether the client dialed with TLS (an https:// URL)
   * @return the explanation, or empty when the failure does not look like a TLS problem
   */
  public static Optional<String> explain(Throwable failure, boolean usedTls) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = failure; t != null && chain.size() < 20; t = t.getCause()) {
      chain.add(t);
    }
    if (!usedTls) {
      // A TLS port drops a plaintext HTTP/2 preface at once, without an answer.
      return anyMessage(chain, "connection reset", "connection closed", "network closed")
          ? Optional.of(
              "the coordinator closed the connection before answering; if it serves TLS, use an"
                  + " https:// URL")
          : Optional.empty();
    }
    if (any(chain, CertificateExpiredException.class)) {
      return fail("the coordinator's certificate has expired");
    }
    if (any(chain, CertificateNotYetValidException.class)) {
      return fail("the coordinator's certificate is not valid yet (check the clocks)");
    }
    if (anyMessage(chain, "no subject alternative", "no name matching")) {
      return fail("the coordinator's certificate does not name the host in the URL");
    }
    if (any(chain, CertPathBuilderException.class)
        || any(chain, CertPathValidatorException.class)) {
      return fail(
          "the coordinator's certificate is not signed by a trusted CA (give --ca-file the CA"
              + " that signed it)");
    }
    if (anyMessage(chain, "not an ssl/tls record", "unrecognized ssl message", "wrong_version")) {
      return fail(
          "the coordinator does not speak TLS on this port (use an http:// URL if it is"
              + " plaintext)");
    }
    if (anyMessage(chain, "certificate_required", "bad_certificate", "unknown_ca")) {
      return fail(
          "the coordinator requires a client certificate signed by its client CA (mutual TLS:"
              + " give --tls-cert-file and --tls-key-file)");
    }
    if (anyMessage(chain, "certificate_expired")) {
      return fail("the coordinator refused this client's certificate: it has expired");
    }
    if (any(chain, SSLException.class)) {
      return fail(
          chain.stream()
              .filter(t -> t instanceof SSLException)
              .map(Throwable::getMessage)
              .findFirst()
              .orElse("unknown reason"));
    }
    return Optional.empty();
  }

  private static Optional<String> fail(String why) {
    return Optional.of("TLS handshake failed: " + why);
  }

  private static boolean any(List<Throwable> chain, Class<? extends Throwable> type) {
    return chain.stream().anyMatch(type::isInstance);
  }

  private static boolean anyMessage(List<Throwable> chain, String... fragments) {
    for (Throwable t : chain) {
      String message =
          (t.getClass().getSimpleName() + " " + t.getMessage()).toLowerCase(Locale.ROOT);
      for (String fragment : fragments) {
        if (message.contains(fragment)) {
          return true;
        }
      }
    }
    return false;
  }
}
