package zisk.distributed.reference;

import java.util.Arrays;

/**
 * One opened leaf: its index, its 32-byte value and the siblings on its path to the root.
 *
 * <p>Words: {@code index}, then the packed leaf, then the packed siblings (32 bytes each,
 * concatenated).
 */
record MerkleOpening(long index, byte[] leaf, byte[] siblings) {

  /** Opens leaf {@code index} of {@code tree}. */
  static MerkleOpening of(MerkleTree tree, int index) {
    return new MerkleOpening(index, tree.leaf(index), tree.path(index));
  }

  /**
   * Checks that this opening is leaf {@code expectedIndex} of the tree with {@code root} over
   * {@code leafCount} leaves.
   */
  void check(long expectedIndex, byte[] root, long leafCount, String what)
      throws InvalidProofException {
    if (index != expectedIndex) {
      throw new InvalidProofException(
          what + " opens state " + index + ", expected state " + expectedIndex);
    }
    byte[] reached = MerkleTree.rootFromPath(leaf, index, leafCount, siblings);
    if (!Arrays.equals(reached, root)) {
      throw new InvalidProofException(
          what + ": the Merkle path of state " + index + " does not lead to the lane's root");
    }
  }

  void write(WordWriter out) {
    out.word(index).bytes(leaf).bytes(siblings);
  }

  static MerkleOpening read(WordReader in, String what) throws InvalidProofException {
    long index = in.word(what + " index");
    byte[] leaf = in.bytes(Sha256.LENGTH, what + " state");
    byte[] siblings = in.bytes(what + " Merkle path");
    return new MerkleOpening(index, leaf, siblings);
  }
}
