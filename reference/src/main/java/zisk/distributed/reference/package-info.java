/**
 * The reference prover: real, checkable work with the phase structure of a zkVM prover, in pure
 * Java. It drives the embedded demo and the tests. <b>It is not a zkVM</b>: it proves one fixed
 * computation (SHA-256 hash chains), not the execution of a program, and it is <b>not
 * zero-knowledge</b>: a proof reveals the opened states of every lane.
 *
 * <h2>The statement</h2>
 *
 * An input ({@link zisk.distributed.reference.ReferenceInput}) names {@code lanes}, {@code steps}
 * and a {@code seed}. Lane {@code l} is the chain {@code s0 = SHA-256(seed || l)} (lane as 4 bytes
 * big-endian), {@code s(i+1) = SHA-256(s(i))}, up to {@code s_steps}, which is the lane's output. A
 * proof claims: "for every lane, this is the output".
 *
 * <h2>The argument</h2>
 *
 * <ol>
 *   <li><b>Commit</b> (PARTIAL_CONTRIBUTION). The lanes are split over the ranks in proportion to
 *       their compute units ({@link zisk.distributed.reference.LaneSplit}). Each rank computes its
 *       lanes and commits to each with a SHA-256 Merkle tree whose leaves are the states {@code s0
 *       .. s_steps}; it sends the root and the claimed output.
 *   <li><b>Challenge</b> (PROVE). Every rank hashes the statement and all lanes' commitments into
 *       one global challenge, and derives from it, per lane, {@code q = 32} steps to check
 *       (Fiat-Shamir).
 *   <li><b>Open</b> (PROVE). For each challenged step {@code i} the rank opens states {@code i} and
 *       {@code i+1} with their Merkle paths; it also opens the first and the last state.
 *   <li><b>Check</b> (AGGREGATE, and again in {@link
 *       zisk.distributed.reference.ReferenceVerifier}). The challenge is recomputed, the opened
 *       steps must be the challenged ones, every path must lead to the root, every opened step must
 *       satisfy {@code s(i+1) = SHA-256(s(i))}, the first state must be {@code SHA-256(seed || l)}
 *       and the last must be the claimed output.
 * </ol>
 *
 * <h2>What a valid proof establishes</h2>
 *
 * It is a spot check. The root binds the prover to one sequence of states per lane before it learns
 * which steps are checked. Since the first and last states are always checked, a false output means
 * at least one broken step ({@code s(i+1) != SHA-256(s(i))}) in that sequence. A prover that cheats
 * on a fraction {@code f} of a lane's steps is caught with probability {@code 1 - (1 - f)^q} per
 * lane: with {@code q = 32}, about 97% for {@code f = 10%} and 99.9% for {@code f = 20%}. A prover
 * that breaks a single step is caught with probability only about {@code q / steps}. The challenge
 * is computed, not sent, so a dishonest prover can try many commitments offline and keep one whose
 * challenge misses its bad steps: each try costs it a whole commitment, and its chance grows with
 * the number of tries. None of this is a succinct or zero-knowledge proof; it exists to exercise
 * the distributed machinery with work that is real, cheap to check and fails loudly when anything
 * is corrupted.
 */
package zisk.distributed.reference;
