package alerting

import (
	"math"
	"time"
)

// NAB scoring, after the Numenta Anomaly Benchmark: A. Lavin and S. Ahmad, "Evaluating Real-time
// Anomaly Detection Algorithms — the Numenta Anomaly Benchmark", IEEE ICMLA 2015
// (arXiv:1510.03336), and its reference scorer, github.com/numenta/NAB, nab/sweeper.py (point
// weights, probationary period, first detection per window) and nab/runner.py normalize()
// (null/perfect normalization). The rules, as published there:
//
//   - The first 15% of a file's rows, at most 750 rows (probationPercent·5000), are probationary:
//     detections there are neither rewarded nor penalised, and windows there are not scored.
//   - A detection inside a window at relative position y (y = -(right-i+1)/width, -1 at the left
//     edge, near 0 at the right) is worth A_TP·σ(y)/σ(-1), where σ(y) = 2/(1+e^(5y)) - 1 is the
//     scaled sigmoid. Only the best (hence the earliest) detection of a window counts.
//   - A window with no detection costs A_FN.
//   - A detection outside windows costs A_FP·σ(y) (σ is negative there): y = |i - prevRight| /
//     (prevWidth - 1) measured from the right edge of the previous window, and y = 3 (σ = -1, the
//     full cost) before the first window or from 3 window-widths on.
//   - Normalized score = 100·(raw - null) / (perfect - null), where null is the raw score of a
//     detector that never fires (-A_FN per window) and perfect = A_TP per label (NAB counts labels
//     from combined_labels.json here, so where two labels share one window the perfect score is
//     one that no detector can reach).

// Profile holds NAB's cost weights, all positive as in NAB's config/profiles.json.
type Profile struct {
	TP, FP, FN float64
}

// StandardProfile is NAB's "standard" application profile: A_TP = 1.0, A_FP = -0.11, A_FN = -1.0.
var StandardProfile = Profile{TP: 1.0, FP: 0.11, FN: 1.0}

// Window is one labelled anomaly window, both ends included.
type Window struct {
	Start, End time.Time
}

// NABScore is the NAB result for one file, or a sum of files (Combine).
type NABScore struct {
	// Raw is the sum of the weighted detections and missed windows; Null and Perfect are the raw
	// scores of the detector that never fires and of the one that catches every label at once.
	Raw, Null, Perfect float64
	// Detections counts scored (post-probation) detections; TP and FN count windows with and without
	// a detection, FP detections outside any window.
	Detections, TP, FP, FN int
}

// Normalized is NAB's 0..100 score (negative when worse than never firing).
func (s NABScore) Normalized() float64 {
	if s.Perfect == s.Null {
		return 0
	}
	return 100 * (s.Raw - s.Null) / (s.Perfect - s.Null)
}

// Combine sums files' scores as NAB sums a corpus before normalizing.
func Combine(scores ...NABScore) NABScore {
	var c NABScore
	for _, s := range scores {
		c.Raw += s.Raw
		c.Null += s.Null
		c.Perfect += s.Perfect
		c.Detections += s.Detections
		c.TP += s.TP
		c.FP += s.FP
		c.FN += s.FN
	}
	return c
}

// scaledSigmoid is NAB's σ(y) = 2·sigmoid(-5y) - 1, clamped to -1 from y = 3 on.
func scaledSigmoid(y float64) float64 {
	if y >= 3 {
		return -1
	}
	return 2/(1+math.Exp(5*y)) - 1
}

// ProbationaryRows is the number of leading rows NAB leaves unscored in a file of n rows.
func ProbationaryRows(n int) int {
	return int(math.Min(math.Floor(0.15*float64(n)), 0.15*5000))
}

// ScoreNAB scores one file: times are the rows' timestamps in order, detected says which rows the
// detector flagged, windows are the file's labelled windows in time order and labels the number of
// labels they came from (0 means one per window). A window's ends are matched to the first row at or
// after its start and the last row at or before its end.
func ScoreNAB(times []time.Time, detected []bool, windows []Window, labels int, p Profile) NABScore {
	n := len(times)
	prob := ProbationaryRows(n)
	maxTP := scaledSigmoid(-1)

	// Row ranges of the windows.
	type span struct{ left, right int }
	spans := make([]span, 0, len(windows))
	for _, w := range windows {
		l, r := -1, -1
		for i, t := range times {
			if l < 0 && !t.Before(w.Start) {
				l = i
			}
			if !t.After(w.End) {
				r = i
			}
		}
		if l >= 0 && r >= l {
			spans = append(spans, span{l, r})
		}
	}

	var s NABScore
	best := make([]float64, len(spans)) // best detection per window; NaN until detected
	scored := make([]bool, len(spans))  // window has a post-probation row
	for k := range best {
		best[k] = math.NaN()
	}
	k := 0 // next or current window
	prevRight, prevWidth := -1, 0
	for i := range n {
		for k < len(spans) && i > spans[k].right {
			prevRight, prevWidth = spans[k].right, spans[k].right-spans[k].left+1
			k++
		}
		in := k < len(spans) && i >= spans[k].left
		if in && i >= prob {
			scored[k] = true
		}
		if i >= len(detected) || !detected[i] || i < prob {
			continue
		}
		s.Detections++
		if in {
			width := float64(spans[k].right - spans[k].left + 1)
			y := -float64(spans[k].right-i+1) / width
			v := scaledSigmoid(y) * p.TP / maxTP
			if math.IsNaN(best[k]) || v > best[k] {
				best[k] = v
			}
			continue
		}
		y := 3.0
		if prevRight >= 0 {
			y = math.Abs(float64(i-prevRight)) / float64(prevWidth-1)
		}
		s.FP++
		s.Raw += scaledSigmoid(y) * p.FP
	}
	windowsScored := 0
	for k := range spans {
		if !scored[k] {
			continue
		}
		windowsScored++
		if math.IsNaN(best[k]) {
			s.FN++
			s.Raw -= p.FN
		} else {
			s.TP++
			s.Raw += best[k]
		}
	}
	if labels <= 0 {
		labels = windowsScored
	}
	s.Null = -p.FN * float64(windowsScored)
	s.Perfect = p.TP * float64(labels)
	return s
}
