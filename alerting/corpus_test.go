package alerting

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	want := time.Date(2015, 2, 26, 21, 42, 53, 0, time.UTC)
	for _, s := range []string{"2015-02-26 21:42:53", " 2015-02-26 21:42:53.000000", "2015-02-26T21:42:53Z", "2015-02-26T23:42:53+02:00", "1424986973"} {
		got, err := ParseTime(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseTime(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	if _, err := ParseTime("26/02/2015"); err == nil || !strings.Contains(err.Error(), `"26/02/2015"`) {
		t.Errorf("got %v; want an error quoting the timestamp", err)
	}
}

func TestParseValue(t *testing.T) {
	for _, s := range []string{"-1", "NaN", "Inf", "x", ""} {
		if _, err := ParseValue(s); err == nil {
			t.Errorf("ParseValue(%q): got no error", s)
		}
	}
	if v, err := ParseValue(" 42 "); err != nil || v != 42 {
		t.Errorf("ParseValue(\" 42 \") = %v, %v; want 42", v, err)
	}
}

func TestReadSeriesAndLoadNAB(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("a.csv", "timestamp,value\n2015-03-01 00:00:00,1\n2015-03-01 00:05:00,2\n")
	write("combined_windows.json", `{"x/a.csv": [["2015-03-01 00:05:00.000000", "2015-03-01 00:05:00.000000"]], "x/missing.csv": []}`)
	write("combined_labels.json", `{"x/a.csv": ["2015-03-01 00:05:00"]}`)
	files, err := LoadNAB(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Name != "x/a.csv" || len(files[0].Series.Values) != 2 || files[0].Labels != 1 || len(files[0].Windows) != 1 {
		t.Fatalf("got %+v; want a.csv with 2 rows, 1 label, 1 window", files)
	}
	write("a.csv", "timestamp,value\n2015-03-01 00:00:00,1\n2015-03-01 00:05:00,many\n")
	if _, err := LoadNAB(dir); err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("got %v; want an error naming line 3", err)
	}
}

func TestTailQuantile(t *testing.T) {
	q := newTailQuantile(0.001)
	if got := q.quantile(0.99); got != 0 {
		t.Errorf("empty: got %v; want 0", got)
	}
	for i := range 10000 {
		q.add(float64(i%100) / 10) // uniform on [0, 10)
	}
	// The 0.99 quantile of z is 9.9; bins are 1/8 octave of 1+z wide, so the edge is within 9%.
	if got := q.quantile(0.99); got < 9.9/1.09-1 || got > 9.9 {
		t.Errorf("0.99 quantile of uniform [0,10): got %v; want about 9.9", got)
	}
	for range 20000 { // the weights rescale long before overflow
		q.add(1000)
	}
	if got := q.quantile(0.5); math.IsNaN(got) || got < 500 {
		t.Errorf("after a long run of z=1000, the median: got %v; want the top bin", got)
	}
}

func FuzzDetector(f *testing.F) {
	f.Add([]byte{10, 12, 9, 200, 210, 190, 11, 0, 0, 255})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := DefaultConfig()
		c.Warmup = 0
		c.Window, c.Persist = 3, 2
		d, err := New(c)
		if err != nil {
			t.Fatal(err)
		}
		open := false
		for i, b := range data {
			st, err := d.ObserveShare(t0.Add(time.Duration(i)*time.Minute), float64(b/2), float64(b))
			if err != nil {
				t.Fatal(err)
			}
			if math.IsNaN(st.Score) || math.IsNaN(st.Baseline) || st.Baseline < 0 {
				t.Fatalf("bucket %d: score %v baseline %v", i, st.Score, st.Baseline)
			}
			switch st.Event {
			case EventFired:
				if open {
					t.Fatalf("bucket %d: fired while an alert was open", i)
				}
				open = true
			case EventResolved:
				if !open {
					t.Fatalf("bucket %d: resolved without an open alert", i)
				}
				open = false
			}
			if (st.State == StateFiring) != open {
				t.Fatalf("bucket %d: state %v with open=%v", i, st.State, open)
			}
		}
	})
}
