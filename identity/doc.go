// Package identity links records that describe the same person: bulk probabilistic record linkage for
// bootstrapping customer links from a CRM export, and deduplication within one file.
//
// The steps, each in its own file:
//
//   - normalize.go: values are cleaned per role (names lower-cased and stripped of punctuation, dates and
//     numbers reduced to digits).
//   - compare.go: comparators turn two values into an agreement level (exact, close, …, disagree, or
//     missing when either side is empty).
//   - block.go: several sorted-neighbourhood passes choose the candidate pairs, so that nearly every true
//     pair is compared while the number of comparisons stays linear in the number of records.
//   - fellegisunter.go: a Fellegi–Sunter model fitted without labels: u (how often non-matches reach each
//     level) from pairs drawn at random, m (how often matches do) and the share of matches among the
//     candidates by expectation–maximisation on the candidate pairs.
//   - linker.go: ties it together, scores every candidate pair (weight in bits, match probability,
//     decision: link at ≥ 0.9, review at ≥ 0.5) and keeps the evidence: the level each field reached and
//     the weight it contributed. Given name and surname, and the two address lines, are also compared
//     crossed, for values entered in each other's place.
//   - table.go, evaluate.go: CSV input with a role per column, and pairwise precision, recall, F1 and
//     blocking recall against a known truth.
//
// Everything is deterministic: the same input gives the same pairs, weights and probabilities.
package identity
