package zisk.distributed.reference;

import java.util.Arrays;

/** A spot check of one step: states {@code i} and {@code i+1}, both opened. */
record StepOpening(MerkleOpening current, MerkleOpening next) {

  /** Opens step {@code step} (states {@code step} and {@code step + 1}) of {@code tree}. */
  static StepOpening of(MerkleTree tree, int step) {
    return new StepOpening(MerkleOpening.of(tree, step), MerkleOpening.of(tree, step + 1));
  }

  /** Checks that this opens step {@code step} of the tree with {@code root}, and the step holds. */
  void check(long step, byte[] root, long leafCount, String what) throws InvalidProofException {
    current.check(step, root, leafCount, what);
    next.check(step + 1, root, leafCount, what);
    if (!Arrays.equals(HashChain.next(current.leaf()), next.leaf())) {
      throw new InvalidProofException(
          what + ": state " + (step + 1) + " is not SHA-256 of state " + step);
    }
  }

  void write(WordWriter out) {
    current.write(out);
    next.write(out);
  }

  static StepOpening read(WordReader in, String what) throws InvalidProofException {
    return new StepOpening(MerkleOpening.read(in, what), MerkleOpening.read(in, what));
  }
}
