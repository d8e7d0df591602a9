package identity

// Metrics compare a Result with the truth, counting pairs: in deduplication every unordered pair of
// records once, in linkage every (left, right) pair.
type Metrics struct {
	Records    int
	Candidates int
	// TruePairs is the number of pairs that belong to one entity; Blocked how many of them were candidates.
	TruePairs, Blocked int
	// Linked is the number of pairs decided "link"; Correct how many of them are true.
	Linked, Correct int
	// Review is the number of pairs decided "review".
	Review int

	BlockingRecall, Precision, Recall, F1 float64
}

// Evaluate scores res against entity, which names the entity of each record of d (same order as
// d.Records). An empty entity is a record known to match nothing.
func Evaluate(d *Dataset, res *Result, entity []string) Metrics {
	m := Metrics{Records: len(d.Records), Candidates: len(res.Pairs)}
	count := map[string][2]int{}
	for i, e := range entity {
		if e == "" {
			continue
		}
		c := count[e]
		c[d.Records[i].Source]++
		count[e] = c
	}
	for _, c := range count {
		if d.Link {
			m.TruePairs += c[0] * c[1]
		} else {
			m.TruePairs += c[0] * (c[0] - 1) / 2
		}
	}
	for _, p := range res.Pairs {
		same := entity[p.A] != "" && entity[p.A] == entity[p.B]
		if same {
			m.Blocked++
		}
		switch p.Decision {
		case DecisionLink:
			m.Linked++
			if same {
				m.Correct++
			}
		case DecisionReview:
			m.Review++
		}
	}
	m.BlockingRecall = ratio(m.Blocked, m.TruePairs)
	m.Precision = ratio(m.Correct, m.Linked)
	m.Recall = ratio(m.Correct, m.TruePairs)
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
