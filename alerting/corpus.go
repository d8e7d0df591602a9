package alerting

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the timestamp forms read from CSV files, tried in order; NAB's is the first.
var timeLayouts = []string{"2006-01-02 15:04:05", time.RFC3339Nano, "2006-01-02 15:04:05.999999", "2006-01-02T15:04:05"}

// ParseTime reads a timestamp as NAB writes it ("2015-02-26 21:42:53", taken as UTC), as RFC 3339, or
// as Unix seconds.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("timestamp %q: want \"2006-01-02 15:04:05\", RFC 3339 or Unix seconds", s)
}

// ParseValue reads a count: a finite, non-negative number.
func ParseValue(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v < 0 || v != v || v > 1e300 {
		return 0, fmt.Errorf("value %q: want a finite non-negative number", s)
	}
	return v, nil
}

// Series is a time series read from a "timestamp,value" CSV file.
type Series struct {
	Times  []time.Time
	Values []float64
}

// ReadSeries reads a "timestamp,value" CSV with a header line; any malformed row is an error.
func ReadSeries(r io.Reader) (Series, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var s Series
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return s, nil
		}
		if err != nil {
			return s, fmt.Errorf("reading CSV: %w", err)
		}
		if line == 1 && len(rec) > 0 && strings.TrimSpace(rec[0]) == "timestamp" {
			continue
		}
		if len(rec) < 2 {
			return s, fmt.Errorf("line %d: want timestamp,value, got %d field(s)", line, len(rec))
		}
		t, err := ParseTime(rec[0])
		if err != nil {
			return s, fmt.Errorf("line %d: %w", line, err)
		}
		v, err := ParseValue(rec[1])
		if err != nil {
			return s, fmt.Errorf("line %d: %w", line, err)
		}
		s.Times = append(s.Times, t)
		s.Values = append(s.Values, v)
	}
}

// NABFile is one data file of a NAB corpus with its labelled windows.
type NABFile struct {
	// Name is the corpus key, e.g. "realTweets/Twitter_volume_AAPL.csv".
	Name    string
	Series  Series
	Windows []Window
	// Labels is the number of labels of the file in combined_labels.json.
	Labels int
}

// LoadNAB reads combined_windows.json and combined_labels.json from dir and every file they name whose
// base name is a CSV file in dir, sorted by name. Files named in the windows but absent from dir are
// skipped; none present is an error.
func LoadNAB(dir string) ([]NABFile, error) {
	var windows map[string][][2]string
	if err := readJSON(filepath.Join(dir, "combined_windows.json"), &windows); err != nil {
		return nil, err
	}
	var labels map[string][]string
	if err := readJSON(filepath.Join(dir, "combined_labels.json"), &labels); err != nil {
		return nil, err
	}
	var files []NABFile
	for name, ws := range windows {
		f, err := os.Open(filepath.Join(dir, path.Base(name)))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s, err := ReadSeries(f)
		_ = f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		nf := NABFile{Name: name, Series: s, Labels: len(labels[name])}
		for _, w := range ws {
			start, err := ParseTime(w[0])
			if err != nil {
				return nil, fmt.Errorf("window of %s: %w", name, err)
			}
			end, err := ParseTime(w[1])
			if err != nil {
				return nil, fmt.Errorf("window of %s: %w", name, err)
			}
			nf.Windows = append(nf.Windows, Window{Start: start, End: end})
		}
		sort.Slice(nf.Windows, func(i, j int) bool { return nf.Windows[i].Start.Before(nf.Windows[j].Start) })
		files = append(files, nf)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no data file of %s/combined_windows.json found in %s", dir, dir)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	return files, nil
}

func readJSON(p string, v any) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decoding %s: %w", p, err)
	}
	return nil
}
