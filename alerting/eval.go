package alerting

// DetectSeries runs a fresh Detector with c over s and reports which rows fired an alert (EventFired);
// escalations and rows while an alert stays open are not new detections.
func DetectSeries(c Config, s Series) ([]bool, error) {
	d, err := New(c)
	if err != nil {
		return nil, err
	}
	out := make([]bool, len(s.Values))
	for i, v := range s.Values {
		st, err := d.Observe(s.Times[i], v)
		if err != nil {
			return nil, err
		}
		out[i] = st.Event == EventFired
	}
	return out, nil
}

// GaussianTails runs a fresh RollingGaussian of the given size over s and returns each row's tail
// probability; the rows at or under a threshold p are its detections at p.
func GaussianTails(size int, s Series) []float64 {
	g := NewRollingGaussian(size, 0)
	out := make([]float64, len(s.Values))
	for i, v := range s.Values {
		out[i], _ = g.Observe(v)
	}
	return out
}

// Flagged returns which tails are at or under p.
func Flagged(tails []float64, p float64) []bool {
	out := make([]bool, len(tails))
	for i, t := range tails {
		out[i] = t <= p
	}
	return out
}
