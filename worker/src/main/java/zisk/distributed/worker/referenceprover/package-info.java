/**
 * {@code ./zisk reference-prover}: the built-in reference prover as a separate program that speaks
 * the native prover contract (protocol 1) on standard input and output, so that the worker's native
 * backend can drive it exactly as it drives a real GPU prover. The proofs are those of {@link
 * zisk.distributed.worker.prover.reference.ReferenceProverBackend}, which this package only wraps.
 * See {@code docs/native-prover.md} for the contract.
 */
package zisk.distributed.worker.referenceprover;
