package sim

import "time"

// The stream's rate follows people's days. Each region of the population has a local daily curve (quiet
// at night, a morning ramp, a lunch bump, a busy evening) and a flatter, later weekend; the global curve in
// UTC is the population-weighted sum of the regions' curves, normalised to a weekly mean of 1.

var weekdayCurve = [24]float64{
	0.35, 0.22, 0.14, 0.10, 0.09, 0.12, 0.25, 0.50, 0.75, 0.85, 0.90, 0.95,
	1.05, 1.00, 0.95, 0.95, 1.00, 1.10, 1.25, 1.40, 1.50, 1.45, 1.15, 0.70,
}

var weekendCurve = [24]float64{
	0.50, 0.35, 0.22, 0.14, 0.10, 0.09, 0.12, 0.22, 0.40, 0.65, 0.85, 0.95,
	1.00, 1.00, 0.95, 0.95, 0.95, 1.00, 1.10, 1.20, 1.25, 1.20, 1.00, 0.75,
}

const weekendLevel = 0.85

// slotsPerDay is the resolution of the rhythm table (15 minutes).
const slotsPerDay = 96

type rhythm struct {
	table [7 * slotsPerDay]float64 // indexed by UTC weekday (Sunday = 0) and slot of the day
	max   float64
}

// regions of the population with their UTC offsets (hours) and weights.
var rhythmRegions = []struct {
	offset float64
	weight float64
}{
	{-8, 0.12}, {-6, 0.10}, {-5, 0.20}, {-3, 0.09}, {0, 0.15}, {1, 0.25}, {5.5, 0.06}, {9, 0.03},
}

func localLevel(weekday int, hour float64) float64 {
	curve := &weekdayCurve
	level := 1.0
	if weekday == 0 || weekday == 6 {
		curve = &weekendCurve
		level = weekendLevel
	}
	h0 := int(hour) % 24
	h1 := (h0 + 1) % 24
	f := hour - float64(int(hour))
	return level * (curve[h0]*(1-f) + curve[h1]*f)
}

func newRhythm() *rhythm {
	r := &rhythm{}
	sum := 0.0
	for wd := range 7 {
		for s := range slotsPerDay {
			utcHour := (float64(s) + 0.5) * 24 / slotsPerDay
			v := 0.0
			for _, reg := range rhythmRegions {
				h := utcHour + reg.offset
				d := wd
				for h < 0 {
					h += 24
					d = (d + 6) % 7
				}
				for h >= 24 {
					h -= 24
					d = (d + 1) % 7
				}
				v += reg.weight * localLevel(d, h)
			}
			r.table[wd*slotsPerDay+s] = v
			sum += v
		}
	}
	mean := sum / float64(len(r.table))
	for i := range r.table {
		r.table[i] /= mean
		if r.table[i] > r.max {
			r.max = r.table[i]
		}
	}
	return r
}

// at returns the relative rate at t (weekly mean 1).
func (r *rhythm) at(t time.Time) float64 {
	t = t.UTC()
	s := (t.Hour()*60 + t.Minute()) * slotsPerDay / (24 * 60)
	return r.table[int(t.Weekday())*slotsPerDay+s]
}

// atUnix is at for a Unix time in seconds.
func (r *rhythm) atUnix(sec float64) float64 {
	s := int64(sec)
	if float64(s) > sec {
		s--
	}
	day := s / 86400
	rem := s - day*86400
	if rem < 0 {
		rem += 86400
		day--
	}
	wd := (day%7 + 7 + 4) % 7 // 1970-01-01 was a Thursday
	return r.table[int(wd)*slotsPerDay+int(rem)/(86400/slotsPerDay)]
}
