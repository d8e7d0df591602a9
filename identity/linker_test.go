package identity

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"testing"
)

var (
	synthGiven   = []string{"olivia", "jack", "charlotte", "william", "amelia", "noah", "isla", "thomas", "mia", "james", "grace", "lucas", "chloe", "henry", "ella", "oliver", "zoe", "liam", "ruby", "ethan"}
	synthSurname = []string{"smith", "jones", "williams", "brown", "wilson", "taylor", "johnson", "white", "martin", "anderson", "thompson", "nguyen", "thomas", "walker", "harris", "lee", "ryan", "robinson", "kelly", "king", "campbell", "clarke", "mitchell", "young"}
	synthStreet  = []string{"main street", "high street", "church road", "station road", "park avenue", "victoria street", "king street", "george street", "bridge road", "mill lane"}
	synthCity    = []string{"springfield", "riverton", "lakeside", "hillcrest", "fairview", "kingston", "newport", "ashford"}
)

// synthDataset builds a deterministic deduplication data set of people, each with 0–3 duplicates that carry
// typos, swapped day and month, missing values and swapped names, and the entity of every record.
func synthDataset(people int, seed uint64) (*Dataset, []string) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	d := &Dataset{Fields: NewFields([]Role{GivenName, Surname, BirthDate, Address, Postcode, City, ID})}
	var entity []string
	typo := func(s string) string {
		if len(s) < 2 {
			return s
		}
		b := []byte(s)
		i := rng.IntN(len(b) - 1)
		switch rng.IntN(3) {
		case 0:
			b[i], b[i+1] = b[i+1], b[i]
		case 1:
			b[i] = byte('a' + rng.IntN(26))
		default:
			b = append(b[:i], b[i+1:]...)
		}
		return string(b)
	}
	for p := range people {
		base := []string{
			synthGiven[rng.IntN(len(synthGiven))],
			synthSurname[rng.IntN(len(synthSurname))],
			fmt.Sprintf("19%02d%02d%02d", 20+rng.IntN(80), 1+rng.IntN(12), 1+rng.IntN(28)),
			strconv.Itoa(1+rng.IntN(200)) + " " + synthStreet[rng.IntN(len(synthStreet))],
			strconv.Itoa(2000 + rng.IntN(7000)),
			synthCity[rng.IntN(len(synthCity))],
			strconv.Itoa(1000000 + rng.IntN(9000000)),
		}
		dups := rng.IntN(4)
		for k := 0; k <= dups; k++ {
			v := append([]string(nil), base...)
			if k > 0 {
				for range 1 + rng.IntN(3) {
					switch f := rng.IntN(len(v) + 2); {
					case f < len(v):
						if f == 2 && len(v[2]) == 8 && rng.IntN(2) == 0 {
							v[2] = v[2][:4] + v[2][6:8] + v[2][4:6] // day and month swapped
						} else {
							v[f] = typo(v[f])
						}
					case f == len(v):
						v[rng.IntN(len(v))] = ""
					default:
						v[0], v[1] = v[1], v[0]
					}
				}
			}
			rec := Record{ID: fmt.Sprintf("p%d-%d", p, k), Values: make([]string, len(v)), Raw: v}
			for f := range v {
				rec.Values[f] = d.Fields[f].Role.Normalize(v[f])
			}
			d.Records = append(d.Records, rec)
			entity = append(entity, strconv.Itoa(p))
		}
	}
	// Shuffle so that duplicates are not adjacent in input order.
	rng.Shuffle(len(d.Records), func(i, j int) {
		d.Records[i], d.Records[j] = d.Records[j], d.Records[i]
		entity[i], entity[j] = entity[j], entity[i]
	})
	return d, entity
}

func TestMatchSynthetic(t *testing.T) {
	d, entity := synthDataset(500, 7)
	res, err := Match(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := Evaluate(d, res, entity)
	t.Logf("records %d, candidates %d, true pairs %d, blocking recall %.4f, precision %.4f, recall %.4f, F1 %.4f",
		m.Records, m.Candidates, m.TruePairs, m.BlockingRecall, m.Precision, m.Recall, m.F1)
	if m.BlockingRecall < 0.99 {
		t.Errorf("blocking recall %.4f; want ≥ 0.99", m.BlockingRecall)
	}
	if m.F1 < 0.97 {
		t.Errorf("F1 %.4f; want ≥ 0.97", m.F1)
	}

	// Same input, same output, whatever the number of workers.
	again, err := Match(context.Background(), d, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Pairs) != len(res.Pairs) {
		t.Fatalf("second run: %d pairs; want %d", len(again.Pairs), len(res.Pairs))
	}
	for i := range res.Pairs {
		if res.Pairs[i] != again.Pairs[i] {
			t.Fatalf("second run: pair %d = %+v; want %+v", i, again.Pairs[i], res.Pairs[i])
		}
	}
}

func TestMatchSwappedNames(t *testing.T) {
	d, _ := synthDataset(120, 11)
	d.Records = append(d.Records,
		Record{ID: "a", Values: []string{"kylie", "mcbride", "19750403", "12 acacia road", "4812", "townsville", "5550123"}},
		Record{ID: "b", Values: []string{"mcbride", "kylie", "19750403", "12 acacia road", "4812", "townsville", "5550123"}},
	)
	for i := len(d.Records) - 2; i < len(d.Records); i++ {
		d.Records[i].Raw = d.Records[i].Values
	}
	res, err := Match(context.Background(), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a, b := int32(len(d.Records)-2), int32(len(d.Records)-1)
	for i, p := range res.Pairs {
		if p.A != a || p.B != b {
			continue
		}
		if p.Decision != DecisionLink {
			t.Errorf("swapped names: decision %s (p=%.3f); want link", p.Decision, p.Probability)
		}
		ev := res.Evidence(d, i)
		if ev[0].Field != "given_name" || ev[0].Level != "exact" || !ev[0].Swapped {
			t.Errorf("evidence %+v; want given_name exact, swapped", ev[0])
		}
		return
	}
	t.Fatal("swapped pair is not a candidate")
}

func TestMatchCancelled(t *testing.T) {
	d, _ := synthDataset(300, 3)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Match(ctx, d, Options{}); err == nil {
		t.Fatal("cancelled context: got no error")
	}
}

func TestOptionsValidate(t *testing.T) {
	d, _ := synthDataset(10, 1)
	for _, o := range []Options{{Window: 1}, {LinkThreshold: 0.5, ReviewThreshold: 0.9}, {LinkThreshold: 1.5}} {
		if _, err := Match(context.Background(), d, o); err == nil {
			t.Errorf("options %+v: got no error", o)
		}
	}
}

// BenchmarkScorePairs measures comparing and scoring candidate pairs (blocking and the EM fit excluded).
func BenchmarkScorePairs(b *testing.B) {
	d, _ := synthDataset(5000, 5)
	res, err := Match(context.Background(), d, Options{})
	if err != nil {
		b.Fatal(err)
	}
	pairs := make([][2]int32, len(res.Pairs))
	for i, p := range res.Pairs {
		pairs[i] = [2]int32{p.A, p.B}
	}
	score := res.Model.Scorer()
	b.ResetTimer()
	for b.Loop() {
		levels, err := CompareAll(context.Background(), d, pairs, 1)
		if err != nil {
			b.Fatal(err)
		}
		for i := range pairs {
			score(levels[i*len(d.Fields) : (i+1)*len(d.Fields)])
		}
	}
	b.ReportMetric(float64(len(pairs))*float64(b.N)/b.Elapsed().Seconds(), "pairs/s")
}

// BenchmarkMatch measures the whole of Match on 10,000 records: blocking, comparison, EM and scoring.
func BenchmarkMatch(b *testing.B) {
	d, _ := synthDataset(5000, 5)
	for b.Loop() {
		if _, err := Match(context.Background(), d, Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(d.Records)), "records")
}
