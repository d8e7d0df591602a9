package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

type progress struct {
	elapsed     time.Duration
	produced    int64
	read        int64
	rows        int64
	deadLetters int64
	inFlight    int
	lag         int64
}

// progressView prints progress: redrawn in place on a terminal, a plain line every two seconds otherwise
// (so logs of a CI run stay readable).
type progressView struct {
	w        io.Writer
	total    int
	tty      bool
	lastLine time.Time
	drawn    bool
	last     progress
	lastRead int64
	lastAt   time.Duration
	rate     float64
}

func newProgressView(w io.Writer, total int) *progressView {
	v := &progressView{w: w, total: total}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && os.Getenv("TERM") != "dumb" {
			v.tty = true
		}
	}
	return v
}

func (v *progressView) draw(p progress) {
	if dt := (p.elapsed - v.lastAt).Seconds(); dt >= 1 {
		v.rate = float64(p.read-v.lastRead) / dt
		v.lastRead, v.lastAt = p.read, p.elapsed
	}
	v.last = p
	if !v.tty {
		if time.Since(v.lastLine) < 2*time.Second {
			return
		}
		v.lastLine = time.Now()
		fmt.Fprintln(v.w, v.line(p))
		return
	}
	if v.drawn {
		fmt.Fprint(v.w, "\033[2A")
	}
	v.drawn = true
	fmt.Fprintf(v.w, "\033[2K%s\n\033[2K%s\n", v.bar(p), v.line(p))
}

func (v *progressView) finish() {
	if !v.tty {
		fmt.Fprintln(v.w, v.line(v.last))
	}
}

func (v *progressView) bar(p progress) string {
	const width = 40
	frac := 0.0
	if v.total > 0 {
		frac = float64(p.read) / float64(v.total)
	}
	frac = min(max(frac, 0), 1)
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%%  %s", strings.Repeat("█", n), strings.Repeat("░", width-n), frac*100, p.elapsed.Round(100*time.Millisecond))
}

func (v *progressView) line(p progress) string {
	return fmt.Sprintf("produced %s  read %s  rows in ClickHouse %s  dead letters %s  in flight %s  lag %s  %s rec/s",
		thousands(p.produced), thousands(p.read), thousands(p.rows), thousands(p.deadLetters),
		thousands(int64(p.inFlight)), thousands(p.lag), thousands(int64(v.rate)))
}

// thousands formats n with thin separators: 1234567 → 1,234,567.
func thousands(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
