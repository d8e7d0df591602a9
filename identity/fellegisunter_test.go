package identity

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleVectors draws n comparison vectors from a known Fellegi–Sunter model: a pair is a match with
// probability lambda, then each field's level is drawn from m (match) or u (non-match); a field is missing
// with probability miss.
func sampleVectors(rng *rand.Rand, n int, lambda, miss float64, m, u [][]float64) []int8 {
	draw := func(p []float64) int8 {
		x := rng.Float64()
		for l, q := range p {
			if x < q {
				return int8(l)
			}
			x -= q
		}
		return int8(len(p) - 1)
	}
	v := make([]int8, 0, n*len(m))
	for range n {
		match := rng.Float64() < lambda
		for f := range m {
			switch {
			case rng.Float64() < miss:
				v = append(v, Missing)
			case match:
				v = append(v, draw(m[f]))
			default:
				v = append(v, draw(u[f]))
			}
		}
	}
	return v
}

func TestFitEMRecoversParameters(t *testing.T) {
	fields := NewFields([]Role{GivenName, Surname, BirthDate, Postcode, State})
	// Levels: names disagree/jw>=0.8/jw>=0.92/exact, dob disagree/near/typo/exact, postcode disagree/one
	// edit/exact, state disagree/exact.
	m := [][]float64{
		{0.05, 0.05, 0.15, 0.75},
		{0.04, 0.06, 0.10, 0.80},
		{0.03, 0.02, 0.10, 0.85},
		{0.05, 0.15, 0.80},
		{0.05, 0.95},
	}
	u := [][]float64{
		{0.85, 0.08, 0.02, 0.05},
		{0.90, 0.05, 0.02, 0.03},
		{0.96, 0.02, 0.01, 0.01},
		{0.80, 0.15, 0.05},
		{0.75, 0.25},
	}
	const lambda = 0.05
	rng := rand.New(rand.NewPCG(1, 2))
	vectors := sampleVectors(rng, 100000, lambda, 0.05, m, u)
	model, err := FitEM(fields, vectors, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !model.Converged {
		t.Errorf("EM did not converge in %d iterations", model.Iterations)
	}
	if math.Abs(model.Lambda-lambda) > 0.005 {
		t.Errorf("lambda %.4f; want %.3f ± 0.005", model.Lambda, lambda)
	}
	for f := range m {
		for l := range m[f] {
			if d := math.Abs(model.M[f][l] - m[f][l]); d > 0.03 {
				t.Errorf("m[%s][%s] = %.3f; want %.3f ± 0.03", model.Fields[f], model.Levels[f][l], model.M[f][l], m[f][l])
			}
			if d := math.Abs(model.U[f][l] - u[f][l]); d > 0.01 {
				t.Errorf("u[%s][%s] = %.3f; want %.3f ± 0.01", model.Fields[f], model.Levels[f][l], model.U[f][l], u[f][l])
			}
		}
	}
	// Weights follow: exact agreement on a name is strong evidence, disagreement evidence against.
	if w := model.Weight(1, 3); w < 4 {
		t.Errorf("surname exact weight %.2f; want ≥ 4", w)
	}
	if w := model.Weight(1, 0); w > -3 {
		t.Errorf("surname disagree weight %.2f; want ≤ -3", w)
	}
	if w := model.Weight(1, Missing); w != 0 {
		t.Errorf("missing weight %.2f; want 0", w)
	}
}

func TestFitEMDeterministic(t *testing.T) {
	fields := NewFields([]Role{Surname, State})
	m := [][]float64{{0.1, 0.1, 0.1, 0.7}, {0.1, 0.9}}
	u := [][]float64{{0.7, 0.1, 0.1, 0.1}, {0.6, 0.4}}
	vectors := sampleVectors(rand.New(rand.NewPCG(3, 4)), 5000, 0.2, 0, m, u)
	a, err := FitEM(fields, vectors, EMOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := FitEM(fields, vectors, EMOptions{})
	if a.Lambda != b.Lambda || a.M[0][3] != b.M[0][3] || a.U[1][1] != b.U[1][1] {
		t.Errorf("two fits differ: lambda %v vs %v", a.Lambda, b.Lambda)
	}
}

func TestFitEMErrors(t *testing.T) {
	if _, err := FitEM(nil, []int8{1}, EMOptions{}); err == nil {
		t.Error("no fields: got no error")
	}
	if _, err := FitEM(NewFields([]Role{Surname, State}), []int8{1}, EMOptions{}); err == nil {
		t.Error("ragged vectors: got no error")
	}
}

func TestProbability(t *testing.T) {
	f := func(lambda, w, want float64) {
		t.Helper()
		if got := Probability(lambda, w); math.Abs(got-want) > 1e-9 {
			t.Errorf("Probability(%g, %g) = %g; want %g", lambda, w, got, want)
		}
	}
	f(0.5, 0, 0.5)
	f(0.5, 1, 2.0/3)
	f(0.1, math.Log2(9), 0.5)
	f(0.1, 5000, 1)
}
