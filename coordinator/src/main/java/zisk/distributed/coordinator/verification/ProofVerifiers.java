package zisk.distributed.coordinator.verification;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import zisk.distributed.coordinator.config.ProofVerification;

/** The verifier the configuration asks for. */
public final class ProofVerifiers {

  private static final Logger log = LoggerFactory.getLogger(ProofVerifiers.class);

  private ProofVerifiers() {}

  /** The configured verifier; empty for {@code none}, which is logged as a warning. */
  public static Optional<ProofVerifier> from(ProofVerification config) {
    return switch (config.verifier()) {
      case REFERENCE -> {
        log.info(
            "Final proofs are verified by the reference verifier, inputs read from {}",
            config.inputsDirs());
        yield Optional.of(new ReferenceProofVerifier(config.inputsDirs()));
      }
      case COMMAND -> {
        log.info(
            "Final proofs are verified by the command {} (time limit {} s, {} at once), inputs"
                + " found in {}",
            config.verifyCommand(),
            config.verifyTimeout().toSeconds(),
            config.verifyConcurrency(),
            config.inputsDirs());
        yield Optional.of(
            new CommandProofVerifier(
                config.verifyCommand(), config.verifyTimeout(), config.inputsDirs()));
      }
      case NONE -> {
        log.warn(
            "proofs.verifier = none: final proofs are NOT verified; any prover can complete a job"
                + " with a forged proof");
        yield Optional.empty();
      }
    };
  }
}
