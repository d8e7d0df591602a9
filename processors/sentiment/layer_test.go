package sentiment

import (
	"bytes"
	"strings"
	"testing"
)

func tinyCorpus() []Example {
	return []Example{
		{Text: "great product, works perfectly", Score: 3.1},
		{Text: "terrible, broke after a day", Score: -2.9},
		{Text: "it is a phone with a screen", Score: 0.1},
		{Text: "not good at all", Score: -1.5},
		{Text: "absolutely love it", Score: 3.4},
		{Text: "the phone arrived on a day in may", Score: 0},
		{Text: "disappointing phone and overpriced", Score: -2.2},
		{Text: "love the screen", Score: 2.5},
	}
}

func TestTrainLayerDeterministicAndRoundTrips(t *testing.T) {
	cfg := TrainConfig{MinCount: 1, Epochs: 60}
	m1, err := TrainLayer(tinyCorpus(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	m2, err := TrainLayer(tinyCorpus(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b1, b2 bytes.Buffer
	if err := m1.WriteTo(&b1, "test model\nsecond line"); err != nil {
		t.Fatal(err)
	}
	if err := m2.WriteTo(&b2, "test model\nsecond line"); err != nil {
		t.Fatal(err)
	}
	if b1.String() != b2.String() {
		t.Fatal("training twice on the same data gave two different models")
	}
	if !strings.HasPrefix(b1.String(), "# test model\n# second line\nbias\t") || m1.Words() == 0 {
		t.Fatalf("model file starts %.80q with %d words", b1.String(), m1.Words())
	}
	l, err := readLayer(bytes.NewReader(b1.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	a1, err := NewWithModel(m1)
	if err != nil {
		t.Fatal(err)
	}
	a2, err := newAnalyzer(l)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range tinyCorpus() {
		r1, r2 := a1.Analyze(ex.Text), a2.Analyze(ex.Text)
		if r1.Probabilities != r2.Probabilities || r1.Label != r2.Label {
			t.Errorf("%q: model in memory %v %s, read back %v %s", ex.Text, r1.Probabilities, r1.Label, r2.Probabilities, r2.Label)
		}
		if want := HumanLabel(ex.Score); r1.Label != want {
			t.Errorf("%q: trained layer says %s; want its training label %s", ex.Text, r1.Label, want)
		}
	}
}

func TestReadLayerErrors(t *testing.T) {
	f := func(text, want string) {
		t.Helper()
		_, err := readLayer(strings.NewReader(text))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("readLayer(%q): got %v; want an error containing %q", text, err, want)
		}
	}
	f("bias\t1\t2\n", "want 4 tab-separated fields")
	f("bias\t1\t2\tx\n", "invalid syntax")
	f("f:colour\t1\t2\t3\n", "unknown feature")
	f("zzz\t1\t2\t3\n", "unknown entry")
	if l, err := readLayer(strings.NewReader("# only a comment\n\n")); l != nil || err != nil {
		t.Errorf("empty layer: got %v, %v; want no layer and no error", l, err)
	}
}

func TestEmbeddedLayer(t *testing.T) {
	a := testAnalyzer()
	if !a.HasLayer() {
		t.Fatal("the default analyzer has no learned layer")
	}
	r := a.Analyze("I love this phone")
	sum := r.Probabilities[0] + r.Probabilities[1] + r.Probabilities[2]
	if sum < 0.999 || sum > 1.001 || r.Label != Positive {
		t.Errorf("probabilities %v (sum %.4f), label %s", r.Probabilities, sum, r.Label)
	}
	rules, err := New(RulesOnly())
	if err != nil {
		t.Fatal(err)
	}
	if rules.HasLayer() {
		t.Error("RulesOnly analyzer has a layer")
	}
	rr := rules.Analyze("I love this phone")
	if rr.Probabilities != [3]float64{} || rr.Compound != r.Compound || rr.Label != LabelOf(rr.Compound) {
		t.Errorf("rules only: got %+v; want the same compound %.3f, no probabilities, label from the compound", rr, r.Compound)
	}
}

// TestClassWeightsPerDomain checks the training weights: classes count equally over all examples, or within
// each domain while every domain keeps its share of the total weight.
func TestClassWeightsPerDomain(t *testing.T) {
	// Domain 0: three positives and one negative, weighted 2 each; domain 1: one of each class, weight 1.
	var examples []Example
	var data []trainExample
	add := func(domain, class int, w float64) {
		examples = append(examples, Example{Domain: domain, Weight: w})
		data = append(data, trainExample{class: class})
	}
	for range 3 {
		add(0, 2, 2)
	}
	add(0, 0, 2)
	add(1, 0, 1)
	add(1, 1, 1)
	add(1, 2, 1)
	sums := func() (byDomainClass map[[2]int]float64, total float64) {
		byDomainClass = map[[2]int]float64{}
		for i, ex := range examples {
			byDomainClass[[2]int{ex.Domain, data[i].class}] += data[i].weight
			total += data[i].weight
		}
		return byDomainClass, total
	}
	near := func(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

	classWeights(examples, data, true)
	got, total := sums()
	if !near(total, 1) {
		t.Errorf("per domain: weights sum to %v; want 1", total)
	}
	// Domain 0 holds 8 of the 11 weight units, split over its two classes; domain 1 3 units over three.
	want := map[[2]int]float64{{0, 0}: 4.0 / 11, {0, 2}: 4.0 / 11, {1, 0}: 1.0 / 11, {1, 1}: 1.0 / 11, {1, 2}: 1.0 / 11}
	for k, w := range want {
		if !near(got[k], w) {
			t.Errorf("per domain: domain %d class %d has weight %.4f; want %.4f", k[0], k[1], got[k], w)
		}
	}

	classWeights(examples, data, false)
	got, total = sums()
	byClass := [3]float64{}
	for k, w := range got {
		byClass[k[1]] += w
	}
	if !near(total, 1) || !near(byClass[0], 1.0/3) || !near(byClass[1], 1.0/3) || !near(byClass[2], 1.0/3) {
		t.Errorf("over all: class weights %v (sum %v); want a third each", byClass, total)
	}
}
