package dedup

import (
	"math/rand/v2"
	"testing"
)

func TestSimilarityCountsEqualMinima(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 200; n++ {
		var a, b signature
		for i := range a {
			a[i] = uint16(r.Uint32())
			b[i] = a[i]
			if r.IntN(3) == 0 {
				b[i] = uint16(r.Uint32()) // may still be equal by chance: counted below
			}
		}
		eq := 0
		for i := range a {
			if a[i] == b[i] {
				eq++
			}
		}
		if got, want := similarity(&a, &b), float64(eq)/numHashes; got != want {
			t.Fatalf("similarity: got %v; want %v (%d equal of %d)", got, want, eq, numHashes)
		}
	}
}

func TestSignatureEstimatesJaccard(t *testing.T) {
	words := func(from, to int) []uint64 {
		var out []uint64
		for i := from; i < to; i++ {
			out = append(out, uint64(i)*0x9e3779b97f4a7c15+1)
		}
		return out
	}
	var a, b, c signature
	sign(words(0, 40), &a)
	sign(words(0, 40), &b)
	sign(words(1000, 1040), &c)
	if s := similarity(&a, &b); s != 1 {
		t.Errorf("identical word lists: similarity %v; want 1", s)
	}
	if s := similarity(&a, &c); s > 0.1 {
		t.Errorf("disjoint word lists: similarity %v; want about 0", s)
	}
	// 40 words with the last 10 replaced: words 30/50 shared, pairs 29/51 → Jaccard (30+29)/(50+51) ≈ 0.58.
	var d signature
	sign(append(words(0, 30), words(2000, 2010)...), &d)
	if s := similarity(&a, &d); s < 0.4 || s > 0.75 {
		t.Errorf("three quarters shared: similarity %v; want about 0.58", s)
	}
}
