package zisk.distributed.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MerkleTreeTest {

  @Test
  void everyPathLeadsToTheRootForAnyLeafCount() throws Exception {
    for (int leaves = 1; leaves <= 33; leaves++) {
      MerkleTree tree = MerkleTree.build(randomLeaves(leaves));
      for (int i = 0; i < leaves; i++) {
        byte[] reached = MerkleTree.rootFromPath(tree.leaf(i), i, leaves, tree.path(i));
        assertArrayEquals(tree.root(), reached, "leaf " + i + " of " + leaves);
      }
    }
  }

  @Test
  void aSingleLeafIsItsOwnRoot() throws Exception {
    byte[] leaves = randomLeaves(1);

    assertArrayEquals(leaves, MerkleTree.build(leaves).root());
  }

  @Test
  void aChangedLeafOrSiblingChangesTheRoot() throws Exception {
    MerkleTree tree = MerkleTree.build(randomLeaves(11));
    byte[] leaf = tree.leaf(6);
    byte[] path = tree.path(6);
    leaf[3] ^= 1;
    byte[] sibling = tree.path(6);
    sibling[40] ^= (byte) 0x80;

    assertFalse(Arrays.equals(tree.root(), MerkleTree.rootFromPath(leaf, 6, 11, path)));
    assertFalse(Arrays.equals(tree.root(), MerkleTree.rootFromPath(tree.leaf(6), 6, 11, sibling)));
  }

  @Test
  void aPathOfTheWrongLengthOrIndexIsRejected() throws Exception {
    MerkleTree tree = MerkleTree.build(randomLeaves(11));
    byte[] path = tree.path(6);

    assertThrows(
        InvalidProofException.class,
        () -> MerkleTree.rootFromPath(tree.leaf(6), 6, 11, Arrays.copyOf(path, path.length - 32)));
    assertThrows(
        InvalidProofException.class, () -> MerkleTree.rootFromPath(tree.leaf(6), 11, 11, path));
    assertThrows(
        InvalidProofException.class, () -> MerkleTree.rootFromPath(tree.leaf(6), -1, 11, path));
  }

  @Test
  void theLastLeafOfAnOddLevelHasAShorterPath() {
    // 5 leaves: leaf 4 climbs alone for two levels and pairs only at the top.
    assertEquals(1, MerkleTree.pathLength(4, 5));
    assertEquals(3, MerkleTree.pathLength(0, 5));
  }

  private static byte[] randomLeaves(int count) {
    byte[] leaves = new byte[count * 32];
    new Random(count).nextBytes(leaves);
    return leaves;
  }
}
