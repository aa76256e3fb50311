package zisk.distributed.worker.prover.nativeprover;

import zisk.distributed.common.rules.SafeText;

/**
 * The prover wrote something on stdout that is not the contract's protocol. The message quotes the
 * start of the offending line, cleaned and bounded.
 */
final class ProtocolViolation extends Exception {

  /** Longest quote of an offending line. */
  static final int MAX_QUOTE = 200;

  ProtocolViolation(String why, String line) {
    super(why + ": '" + SafeText.clean(line, MAX_QUOTE) + "'");
  }
}
