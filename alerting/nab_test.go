package alerting

import (
	"math"
	"testing"
	"time"
)

// nabFile is a hand-made file: n five-minute rows and windows given as row ranges [left, right].
func nabFile(n int, spans ...[2]int) ([]time.Time, []Window) {
	times := make([]time.Time, n)
	for i := range times {
		times[i] = t0.Add(time.Duration(i) * 5 * time.Minute)
	}
	var ws []Window
	for _, s := range spans {
		ws = append(ws, Window{Start: times[s[0]], End: times[s[1]]})
	}
	return times, ws
}

func detections(n int, rows ...int) []bool {
	d := make([]bool, n)
	for _, r := range rows {
		d[r] = true
	}
	return d
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScaledSigmoidMatchesNAB(t *testing.T) {
	// Values from NAB's sweeper.py docstring.
	for _, c := range []struct{ y, want float64 }{{-1, 0.98661}, {-0.5, 0.84828}, {0, 0}, {1, -0.98661}, {3, -1}, {7, -1}} {
		if got := scaledSigmoid(c.y); math.Abs(got-c.want) > 1e-5 {
			t.Errorf("scaledSigmoid(%v) = %.5f; want %.5f", c.y, got, c.want)
		}
	}
}

func TestProbationaryRows(t *testing.T) {
	for _, c := range []struct{ n, want int }{{100, 15}, {1000, 150}, {5000, 750}, {15902, 750}} {
		if got := ProbationaryRows(c.n); got != c.want {
			t.Errorf("ProbationaryRows(%d) = %d; want %d", c.n, got, c.want)
		}
	}
}

func TestNABScore(t *testing.T) {
	const n = 200 // probationary: rows 0..29
	times, ws := nabFile(n, [2]int{50, 59}, [2]int{120, 139})
	score := func(rows ...int) NABScore {
		return ScoreNAB(times, detections(n, rows...), ws, 0, StandardProfile)
	}
	f := func(name string, got NABScore, wantRaw, wantNorm float64, tp, fp, fn int) {
		t.Helper()
		if !near(got.Raw, wantRaw) || !near(got.Normalized(), wantNorm) || got.TP != tp || got.FP != fp || got.FN != fn {
			t.Errorf("%s: got raw %.6f, normalized %.4f, TP/FP/FN %d/%d/%d; want %.6f, %.4f, %d/%d/%d",
				name, got.Raw, got.Normalized(), got.TP, got.FP, got.FN, wantRaw, wantNorm, tp, fp, fn)
		}
	}
	f("perfect", score(50, 120), 2, 100, 2, 0, 0)
	f("null", score(), -2, 0, 0, 0, 2)
	f("only the first detection in a window counts", score(50, 52, 58, 120, 125), 2, 100, 2, 0, 0)

	// A FP before any window costs the full A_FP = -0.11.
	f("FP before the first window", score(40, 50, 120), 2-0.11, 100*(4-0.11)/4, 2, 1, 0)
	// A FP in the probationary period costs nothing.
	f("FP in probation", score(10, 50, 120), 2, 100, 2, 0, 0)

	// A FP 5 rows after a 10-row window: y = 5/(10-1), cost 0.11·σ(y).
	wantFP := 0.11 * (2/(1+math.Exp(5*5.0/9)) - 1)
	f("FP just after a window", score(50, 64, 120), 2+wantFP, 100*(4+wantFP)/4, 2, 1, 0)
	// From three window widths on, the full cost.
	f("FP long after a window", score(50, 50+9+3*9, 120), 2-0.11, 100*(4-0.11)/4, 2, 1, 0)

	// A detection on the last row of a 10-row window: y = -1/10.
	late := (2/(1+math.Exp(5*-0.1)) - 1) / (2/(1+math.Exp(-5.0)) - 1)
	f("late detection", score(59, 120), 1+late, 100*(3+late)/4, 2, 0, 0)
	// Halfway: y = -(59-55+1)/10 = -0.5.
	half := 0.84828 / 0.98661
	if got := score(55, 120); math.Abs(got.Raw-(1+half)) > 1e-4 {
		t.Errorf("halfway detection: raw %.5f; want %.5f", got.Raw, 1+half)
	}

	// One window missed, one caught at once: (0 - -2)/(2 - -2).
	f("one of two", score(120), 0, 50, 1, 0, 1)

	// Two labels merged into one window: NAB's perfect score counts labels, so 100 is out of reach.
	got := ScoreNAB(times, detections(n, 50, 120), ws, 3, StandardProfile)
	if want := 100 * 4.0 / 5; !near(got.Normalized(), want) {
		t.Errorf("3 labels in 2 windows, both caught at once: %.4f; want %.4f", got.Normalized(), want)
	}
}

func TestNABWindowInProbationIsNotScored(t *testing.T) {
	times, ws := nabFile(200, [2]int{5, 10}, [2]int{120, 139})
	got := ScoreNAB(times, detections(200, 7, 120), ws, 0, StandardProfile)
	if got.TP != 1 || got.FN != 0 || !near(got.Null, -1) || !near(got.Normalized(), 100) {
		t.Errorf("got %+v (normalized %.2f); want the probationary window ignored and 100", got, got.Normalized())
	}
}

func TestCombine(t *testing.T) {
	a := NABScore{Raw: 1, Null: -2, Perfect: 2, Detections: 3, TP: 1, FP: 2, FN: 1}
	b := NABScore{Raw: -1, Null: -1, Perfect: 1, Detections: 0, TP: 0, FP: 0, FN: 1}
	c := Combine(a, b)
	if !near(c.Normalized(), 100*(0+3)/6.0) || c.TP != 1 || c.FN != 2 || c.Detections != 3 {
		t.Errorf("got %+v, normalized %.2f; want sums and 50", c, c.Normalized())
	}
}

func TestRollingGaussian(t *testing.T) {
	g := NewRollingGaussian(4, 0.01)
	if tail, flagged := g.Observe(10); tail != 1 || flagged {
		t.Errorf("first value: tail %v flagged %v; want 1, false", tail, flagged)
	}
	for _, v := range []float64{9, 11, 10, 9, 11} {
		g.Observe(v)
	}
	// The window now holds 11, 10, 9, 11.
	tail, flagged := g.Observe(30)
	if !flagged || tail > 1e-6 {
		t.Errorf("outlier: tail %g flagged %v; want a tiny tail, flagged", tail, flagged)
	}
	tail, flagged = g.Observe(10.4)
	mean := (10 + 9 + 11 + 30) / 4.0
	sd := math.Sqrt(((10-mean)*(10-mean) + (9-mean)*(9-mean) + (11-mean)*(11-mean) + (30-mean)*(30-mean)) / 4)
	if want := 0.5 * math.Erfc(math.Abs(10.4-mean)/sd/math.Sqrt2); flagged || !near(tail, want) {
		t.Errorf("after the outlier joined: tail %g flagged %v; want %g, not flagged", tail, flagged, want)
	}
}
