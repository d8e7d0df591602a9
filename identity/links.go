package identity

import "time"

// Link is one row of customer_links: a decision about an (author, customer) pair. The latest version of a
// pair is its state.
type Link struct {
	Network     string
	AuthorID    string
	CustomerID  string
	Status      string // StatusAuto, StatusReview, StatusConfirmed, StatusRejected or StatusUnlinked
	Probability float32
	Evidence    []string
	DecidedBy   string // "rapport" for automatic decisions, else the analyst
	Version     uint64 // see LinkVersion
	UpdatedAt   time.Time
}

// AutomaticDecider is the decided_by of automatic decisions.
const AutomaticDecider = "rapport"

// SameDecision reports whether two rows of one pair say the same thing (status, probability to three
// decimals, evidence), so that writing b after a would change nothing anyone sees.
func SameDecision(a, b Link) bool {
	if a.Status != b.Status || int(a.Probability*1000+0.5) != int(b.Probability*1000+0.5) || len(a.Evidence) != len(b.Evidence) {
		return false
	}
	for i := range a.Evidence {
		if a.Evidence[i] != b.Evidence[i] {
			return false
		}
	}
	return true
}
