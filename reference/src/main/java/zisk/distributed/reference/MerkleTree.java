package zisk.distributed.reference;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A binary SHA-256 Merkle tree over 32-byte leaves.
 *
 * <p>An inner node is {@code SHA-256(0x01 || left || right)}. A level with an odd number of nodes
 * passes its last node up unchanged, so no padding leaves are needed; the shape of the tree, and so
 * the length of every path, follows from the leaf count alone. Leaves are not hashed again: they
 * are the lane's states, and the fixed shape keeps a leaf from posing as an inner node.
 *
 * <p>Each level is one flat byte array ({@code 32 * size} bytes), so a tree over {@code n} leaves
 * costs about {@code 64 * n} bytes including the leaves, and a handful of objects.
 */
final class MerkleTree {

  private static final byte INNER_NODE = 0x01;

  /** {@code levels[0]} holds the leaves; the last level holds the root alone. */
  private final byte[][] levels;

  private final int leafCount;

  private MerkleTree(byte[][] levels, int leafCount) {
    this.levels = levels;
    this.leafCount = leafCount;
  }

  /** Builds the tree over {@code leaves} (32 bytes each, at least one); keeps the array. */
  static MerkleTree build(byte[] leaves) throws InterruptedException {
    if (leaves.length == 0 || leaves.length % Sha256.LENGTH != 0) {
      throw new IllegalArgumentException("leaves must be a positive multiple of 32 bytes");
    }
    int leafCount = leaves.length / Sha256.LENGTH;
    byte[][] levels = new byte[depth(leafCount) + 1][];
    levels[0] = leaves;
    MessageDigest digest = Sha256.newDigest();
    long hashes = 0;
    int size = leafCount;
    for (int level = 1; level < levels.length; level++) {
      byte[] below = levels[level - 1];
      int parents = (size + 1) / 2;
      byte[] above = new byte[parents * Sha256.LENGTH];
      for (int p = 0; p < parents; p++) {
        Cancellation.checkpoint(hashes++);
        int left = 2 * p * Sha256.LENGTH;
        if (2 * p + 1 < size) {
          digest.update(INNER_NODE);
          digest.update(below, left, 2 * Sha256.LENGTH);
          HashChain.finish(digest, above, p * Sha256.LENGTH);
        } else {
          System.arraycopy(below, left, above, p * Sha256.LENGTH, Sha256.LENGTH);
        }
      }
      levels[level] = above;
      size = parents;
    }
    return new MerkleTree(levels, leafCount);
  }

  int leafCount() {
    return leafCount;
  }

  byte[] root() {
    return levels[levels.length - 1].clone();
  }

  byte[] leaf(int index) {
    int from = checkIndex(index) * Sha256.LENGTH;
    return Arrays.copyOfRange(levels[0], from, from + Sha256.LENGTH);
  }

  /** The siblings from the leaf up to the root, concatenated; levels without a sibling add none. */
  byte[] path(int index) {
    checkIndex(index);
    byte[] siblings = new byte[pathLength(index, leafCount) * Sha256.LENGTH];
    int written = 0;
    int position = index;
    int size = leafCount;
    for (int level = 0; level < levels.length - 1; level++) {
      int sibling = position ^ 1;
      if (sibling < size) {
        System.arraycopy(levels[level], sibling * Sha256.LENGTH, siblings, written, Sha256.LENGTH);
        written += Sha256.LENGTH;
      }
      position >>= 1;
      size = (size + 1) / 2;
    }
    return siblings;
  }

  /**
   * The root that {@code leaf} at {@code index} and its path lead to, in a tree of {@code
   * leafCount} leaves.
   *
   * @throws InvalidProofException when the index is outside the tree or the path has the wrong
   *     number of siblings for it
   */
  static byte[] rootFromPath(byte[] leaf, long index, long leafCount, byte[] siblings)
      throws InvalidProofException {
    if (index < 0 || index >= leafCount) {
      throw new InvalidProofException(
          "leaf index " + index + " is outside the tree of " + leafCount + " leaves");
    }
    int expected = pathLength(index, leafCount);
    if (siblings.length != expected * Sha256.LENGTH) {
      throw new InvalidProofException(
          "Merkle path of leaf "
              + index
              + " has "
              + siblings.length
              + " bytes, expected "
              + expected * Sha256.LENGTH);
    }
    MessageDigest digest = Sha256.newDigest();
    byte[] node = leaf.clone();
    long position = index;
    long size = leafCount;
    int next = 0;
    while (size > 1) {
      long sibling = position ^ 1;
      if (sibling < size) {
        digest.update(INNER_NODE);
        if ((position & 1) == 0) {
          digest.update(node);
          digest.update(siblings, next, Sha256.LENGTH);
        } else {
          digest.update(siblings, next, Sha256.LENGTH);
          digest.update(node);
        }
        node = digest.digest();
        next += Sha256.LENGTH;
      }
      position >>= 1;
      size = (size + 1) / 2;
    }
    return node;
  }

  /** Siblings on the path of leaf {@code index}: one per level where its node has a pair. */
  static int pathLength(long index, long leafCount) {
    int length = 0;
    long position = index;
    for (long size = leafCount; size > 1; size = (size + 1) / 2) {
      if ((position ^ 1) < size) {
        length++;
      }
      position >>= 1;
    }
    return length;
  }

  private static int depth(int leafCount) {
    int depth = 0;
    for (int size = leafCount; size > 1; size = (size + 1) / 2) {
      depth++;
    }
    return depth;
  }

  private int checkIndex(int index) {
    if (index < 0 || index >= leafCount) {
      throw new IllegalArgumentException(
          "leaf " + index + " is outside the tree of " + leafCount + " leaves");
    }
    return index;
  }
}
