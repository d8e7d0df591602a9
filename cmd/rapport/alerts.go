package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rapport-dev/rapport/alerting"
)

const alertsUsage = `usage: rapport alerts SUBCOMMAND [flags]

subcommands:
  backtest -csv FILE [-bucket 5m] [detector flags]   one JSON line per CSV row: baseline, score, state, alerts
  backtest -clickhouse -brand ID -from T [-to T] [-config FILE]
                                                     the streaming monitor over a brand's stored posts: one JSON line per alert notice
  eval -nab DIR [detector flags]                     NAB standard score of the detector next to a rolling Gaussian
  eval -sim [-seed 2 | -seeds 1,2] [-rate 10] [-days 3] simulator incidents: detection, delay, alerts per incident, calm-day alerts`

func alertsCmd(ctx context.Context, args []string) error {
	return alertsMain(ctx, args, os.Stdout)
}

func alertsMain(ctx context.Context, args []string, out io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("missing subcommand\n%s", alertsUsage)
	}
	switch args[0] {
	case "backtest":
		if alertsHistoryFlag(args[1:]) {
			return alertsBacktestHistory(ctx, alertsStripFlag(args[1:]), out)
		}
		return alertsBacktest(ctx, args[1:], out)
	case "eval":
		if len(args) > 1 && (args[1] == "-sim" || args[1] == "--sim") {
			return alertsEvalSim(ctx, args[2:], out)
		}
		return alertsEval(ctx, args[1:], out)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(os.Stderr, alertsUsage)
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown subcommand %q\n%s", args[0], alertsUsage)
}

// alertsDetectorFlags registers the detector's tunables on fs, defaulting to alerting.DefaultConfig with
// the given bucket, and returns a function building the Config once fs is parsed.
func alertsDetectorFlags(fs *flag.FlagSet, bucket time.Duration) func() (alerting.Config, error) {
	c := alerting.DefaultConfig()
	c.Bucket = bucket
	fs.DurationVar(&c.Bucket, "bucket", c.Bucket, "width of one bucket (one CSV row)")
	season := fs.String("seasonality", string(c.Seasonality), "baseline seasonality: week, day or none")
	fs.DurationVar(&c.SlotWidth, "slot", c.SlotWidth, "width of one seasonal slot")
	tz := fs.String("tz", "UTC", "time zone whose clock defines the slots")
	fs.DurationVar(&c.SeasonHalfLife, "season-half-life", c.SeasonHalfLife, "half-life of seasonal observations")
	fs.DurationVar(&c.LevelHalfLife, "level-half-life", c.LevelHalfLife, "half-life of the short-term level")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "data observed before anything may fire")
	fs.Float64Var(&c.MinVolume, "min-volume", c.MinVolume, "smallest bucket value that may count towards an alert")
	fs.Float64Var(&c.MinRatio, "min-ratio", c.MinRatio, "times its baseline a bucket must reach to count towards an alert")
	fs.Float64Var(&c.WarnZ, "warn-z", c.WarnZ, "robust z at which a bucket is hot (warning)")
	fs.Float64Var(&c.TailQuantile, "tail-quantile", c.TailQuantile, "a hot bucket's z must also reach this quantile of the series' own z (0: off)")
	fs.Float64Var(&c.CritZ, "crit-z", c.CritZ, "robust z from which an alert is critical")
	fs.Float64Var(&c.ImmediateZ, "immediate-z", c.ImmediateZ, "immediate tier: z of the last 1, 2 or 4 buckets firing at once without persistence (0: off)")
	fs.DurationVar(&c.ImmediateEvery, "immediate-every", c.ImmediateEvery, "immediate tier: the score must also be the series' highest in this long (0: no check)")
	scoring := fs.String("scoring", string(c.Scoring), "how a count is scored: normal, sqrt or poisson")
	fs.Float64Var(&c.CusumShift, "cusum-shift", c.CusumShift, "sequential tier: relative rise of the count the CUSUM is tuned to (0.5: +50%; 0: off)")
	fs.DurationVar(&c.CusumRunLength, "cusum-run-length", c.CusumRunLength, "sequential tier: target time between false alarms on in-control data; threshold ln(run length/bucket)")
	fs.IntVar(&c.Persist, "k", c.Persist, "hot buckets needed among the last n to fire")
	fs.IntVar(&c.Window, "n", c.Window, "persistence window in buckets (at most 64)")
	fs.Float64Var(&c.ResolveZ, "resolve-z", c.ResolveZ, "robust z under which a bucket is calm")
	fs.IntVar(&c.ResolveAfter, "resolve-after", c.ResolveAfter, "consecutive calm buckets that resolve an alert")
	fs.DurationVar(&c.Cooldown, "cooldown", c.Cooldown, "quiet time after an alert resolves")
	fs.Float64Var(&c.ClipZ, "clip-z", c.ClipZ, "winsorization of baseline updates, in robust standard deviations")
	fs.Float64Var(&c.ShareZ, "share-z", c.ShareZ, "share mode: robust z of the negative share a hot bucket also needs")
	fs.IntVar(&c.MaxScale, "max-scale", c.MaxScale, "also score sums of the last 4, 16, … buckets up to this many (1: single buckets)")
	fs.Float64Var(&c.MinShareTotal, "min-share-total", c.MinShareTotal, "share mode: smallest total a share is judged on")
	return func() (alerting.Config, error) {
		c.Seasonality = alerting.Seasonality(*season)
		c.Scoring = alerting.Scoring(*scoring)
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return c, fmt.Errorf("-tz: %w", err)
		}
		c.Location = loc
		return c, c.Validate()
	}
}

// alertsLine is one output line of backtest; Row counts input lines from 1, the header excluded.
type alertsLine struct {
	Row           int      `json:"row"`
	Timestamp     string   `json:"timestamp,omitempty"`
	Value         *float64 `json:"value,omitempty"`
	Total         *float64 `json:"total,omitempty"`
	Baseline      *float64 `json:"baseline,omitempty"`
	Score         *float64 `json:"score,omitempty"`
	Share         *float64 `json:"share,omitempty"`
	ShareBaseline *float64 `json:"share_baseline,omitempty"`
	ShareScore    *float64 `json:"share_score,omitempty"`
	Cusum         *float64 `json:"cusum,omitempty"`
	State         string   `json:"state,omitempty"`
	Event         string   `json:"event,omitempty"`
	Severity      string   `json:"severity,omitempty"`
	Tier          string   `json:"tier,omitempty"`
	AlertStart    string   `json:"alert_start,omitempty"`
	Error         string   `json:"error,omitempty"`
}

func alertsBacktest(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("alerts backtest", flag.ContinueOnError)
	csvPath := fs.String("csv", "", "CSV file: timestamp,value[,total] with a header line; with total, share mode")
	config := alertsDetectorFlags(fs, 5*time.Minute)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *csvPath == "" {
		return errors.New("-csv is required")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	f, err := os.Open(*csvPath)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	w := bufio.NewWriter(out)
	if err := alertsRunBacktest(ctx, cfg, f, w); err != nil {
		return err
	}
	return w.Flush()
}

// alertsRunBacktest writes one JSON line per input line after the header, so that outputs zip with inputs;
// a malformed line (bad CSV, timestamp or value, out of order) gets a line with "error" and is not
// fed to the detector. Lines are parsed one at a time, so a broken quote cannot swallow the next.
func alertsRunBacktest(ctx context.Context, cfg alerting.Config, in io.Reader, out io.Writer) error {
	d, err := alerting.New(cfg)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	enc := json.NewEncoder(out)
	for row, first := 1, true; sc.Scan(); first = false {
		if row%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		text := strings.TrimSuffix(sc.Text(), "\r")
		if first && strings.HasPrefix(strings.ToLower(strings.TrimSpace(text)), "timestamp") {
			continue
		}
		line := alertsLine{Row: row}
		cr := csv.NewReader(strings.NewReader(text))
		cr.FieldsPerRecord = -1
		switch rec, err := cr.Read(); {
		case errors.Is(err, io.EOF):
			line.Error = "empty line"
		case err != nil:
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			line.Error = "reading CSV: " + err.Error()
		default:
			line = alertsBacktestRow(d, row, rec)
		}
		if err := enc.Encode(line); err != nil {
			return err
		}
		row++
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading CSV: %w", err)
	}
	return nil
}

func alertsBacktestRow(d *alerting.Detector, row int, rec []string) alertsLine {
	line := alertsLine{Row: row}
	if len(rec) < 2 || len(rec) > 3 {
		line.Error = fmt.Sprintf("want timestamp,value[,total], got %d field(s)", len(rec))
		return line
	}
	t, err := alerting.ParseTime(rec[0])
	if err != nil {
		line.Error = err.Error()
		return line
	}
	line.Timestamp = t.Format(time.RFC3339)
	v, err := alerting.ParseValue(rec[1])
	if err != nil {
		line.Error = err.Error()
		return line
	}
	line.Value = &v
	var st alerting.Step
	if len(rec) == 3 {
		total, err := alerting.ParseValue(rec[2])
		if err != nil {
			line.Error = "total: " + err.Error()
			return line
		}
		line.Total = &total
		st, err = d.ObserveShare(t, v, total)
		if err != nil {
			line.Error = err.Error()
			return line
		}
	} else if st, err = d.Observe(t, v); err != nil {
		line.Error = err.Error()
		return line
	}
	ptr := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		v = math.Round(v*1e4) / 1e4
		return &v
	}
	line.Baseline, line.Score = ptr(st.Baseline), ptr(st.Score)
	line.Share, line.ShareBaseline, line.ShareScore = ptr(st.Share), ptr(st.ShareBaseline), ptr(st.ShareScore)
	if d.Config().CusumShift > 0 {
		line.Cusum = ptr(st.Cusum)
	}
	line.State = st.State.String()
	if st.Event != alerting.EventNone {
		line.Event = st.Event.String()
		line.Severity = st.Alert.Severity.String()
		line.Tier = st.Alert.Tier()
		line.AlertStart = st.Alert.Start.Format(time.RFC3339)
	}
	return line
}

// Published NAB v1.1 scoreboard results, standard profile, over the whole 58-file corpus
// (github.com/numenta/NAB README, "Scoreboard").
const alertsNABReference = `Published NAB standard-profile scores (whole 58-file corpus, NAB README scoreboard; not these files):
  windowed Gaussian 39.6, Twitter ADVec (S-H-ESD) 47.1, Numenta HTM 70.1.`

func alertsEval(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("alerts eval", flag.ContinueOnError)
	dir := fs.String("nab", "", "directory with NAB data files, combined_windows.json and combined_labels.json")
	gaussSize := fs.Int("gauss-window", 1000, "rolling Gaussian: window in rows (NAB's windowedGaussian uses 1000)")
	design := fs.String("design", "Twitter_volume_AAPL", "files whose name contains this were used to design and tune the detector; the rest are reported as held out too (empty: none)")
	gaussP := fs.Float64("gauss-p", 0, "rolling Gaussian: tail probability at or under which a row is flagged; 0: the best for the combined score, as NAB optimizes each detector's threshold")
	config := alertsDetectorFlags(fs, 5*time.Minute)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return errors.New("-nab is required")
	}
	if *gaussSize < 1 || !(*gaussP >= 0 && *gaussP < 1) {
		return errors.New("-gauss-window must be at least 1 and -gauss-p at least 0 and under 1")
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	files, err := alerting.LoadNAB(*dir)
	if err != nil {
		return err
	}
	tails := make([][]float64, len(files))
	for i, f := range files {
		tails[i] = alerting.GaussianTails(*gaussSize, f.Series)
	}
	p := *gaussP
	optimized := p == 0
	if optimized {
		p = alertsBestGaussianP(files, tails)
	}
	var ours, theirs, heldOurs, heldTheirs []alerting.NABScore
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "file\trapport\tdetections\tTP\tFP\tFN\t\trolling gaussian\tdetections\tTP\tFP\tFN\t\n")
	row := func(name string, a, b alerting.NABScore) {
		fmt.Fprintf(tw, "%s\t%.1f\t%d\t%d\t%d\t%d\t\t%.1f\t%d\t%d\t%d\t%d\t\n", name,
			a.Normalized(), a.Detections, a.TP, a.FP, a.FN, b.Normalized(), b.Detections, b.TP, b.FP, b.FN)
	}
	for i, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		det, err := alerting.DetectSeries(cfg, f.Series)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		a := alerting.ScoreNAB(f.Series.Times, det, f.Windows, f.Labels, alerting.StandardProfile)
		g := alerting.Flagged(tails[i], p)
		b := alerting.ScoreNAB(f.Series.Times, g, f.Windows, f.Labels, alerting.StandardProfile)
		ours, theirs = append(ours, a), append(theirs, b)
		name := f.Name
		if *design != "" && strings.Contains(f.Name, *design) {
			name += " (design)"
		} else {
			heldOurs, heldTheirs = append(heldOurs, a), append(heldTheirs, b)
		}
		row(name, a, b)
	}
	row("combined", alerting.Combine(ours...), alerting.Combine(theirs...))
	if len(heldOurs) > 0 && len(heldOurs) < len(files) {
		row("combined, held out", alerting.Combine(heldOurs...), alerting.Combine(heldTheirs...))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(files) > 1 {
		if err := alertsLOSO(ctx, out, cfg, files, tails); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(out, `
NAB standard profile (A_TP=1.0, A_FP=-0.11, A_FN=-1.0), 0 = never fires, 100 = every label caught at once;
combined = sum of raw scores normalized by the summed null and perfect scores. TP/FN count windows,
FP detections outside windows; the first 15%% of each file (at most 750 rows) is probationary.
(design) marks the file the detector's defaults were first chosen on; "held out" combines the others.
Leave one series out: each file is scored with the setting chosen on the other files alone (the
rolling Gaussian's threshold; the detector's tail quantile and immediate tier from a fixed grid), and
the held-out raw scores are summed; "rapport defaults" uses the defaults on every file, untuned.
rapport: bucket %v, %s seasonality, %s scoring, warn z %.1f (and the series' own %.3g quantile of z), crit z %.1f,
  immediate z %.1f (the series' highest in %v), %d of %d buckets, sums up to %d buckets, min volume %.0f, min ratio %.1f,
  cooldown %v; one detection per alert fired.
rolling gaussian: window %d rows, flags tail probability <= %.3g%s
(NAB's windowedGaussian: no seasonality, no persistence, every flagged row is a detection).
%s
`, cfg.Bucket, cfg.Seasonality, cfg.Scoring, cfg.WarnZ, cfg.TailQuantile, cfg.CritZ, cfg.ImmediateZ, cfg.ImmediateEvery, cfg.Persist, cfg.Window, cfg.MaxScale, cfg.MinVolume, cfg.MinRatio, cfg.Cooldown,
		*gaussSize, p, alertsGaussNote(optimized), alertsNABReference)
	return err
}

func alertsGaussNote(optimized bool) string {
	if optimized {
		return ", the best of a sweep on these files' combined score\n(NAB optimizes each detector's threshold on its corpus: this favours the baseline)"
	}
	return " (-gauss-p)"
}

// alertsBestGaussianP sweeps the rolling Gaussian's tail probability over a log grid (10^-1 … 10^-40, two
// steps a decade) and returns the one with the best combined NAB score, as NAB's optimizer picks each
// detector's threshold on the corpus it reports.
func alertsBestGaussianP(files []alerting.NABFile, tails [][]float64) float64 {
	bestP, best := 0.0, math.Inf(-1)
	for k := 2; k <= 80; k++ {
		p := math.Pow(10, -float64(k)/2)
		scores := make([]alerting.NABScore, len(files))
		for i, f := range files {
			det := alerting.Flagged(tails[i], p)
			scores[i] = alerting.ScoreNAB(f.Series.Times, det, f.Windows, f.Labels, alerting.StandardProfile)
		}
		if s := alerting.Combine(scores...).Normalized(); s > best {
			bestP, best = p, s
		}
	}
	return bestP
}

// alertsLOSOGrid is the detector settings leave-one-series-out chooses from: the series' own tail
// quantile of the sustained tier, with and without the immediate tier.
func alertsLOSOGrid(base alerting.Config) []alerting.Config {
	var out []alerting.Config
	for _, q := range []float64{0.99, 0.995, 0.999} {
		for _, iz := range []float64{0, base.CritZ} {
			c := base
			c.TailQuantile, c.ImmediateZ = q, iz
			out = append(out, c)
		}
	}
	return out
}

// alertsLOSO prints the leave-one-series-out scores: for each file, the rolling Gaussian's threshold and
// the detector's setting from alertsLOSOGrid that are best on the other files, scored on that file.
func alertsLOSO(ctx context.Context, out io.Writer, cfg alerting.Config, files []alerting.NABFile, tails [][]float64) error {
	grid := alertsLOSOGrid(cfg)
	// scores[g][i]: grid setting g on file i; defaults[i]: cfg on file i
	scores := make([][]alerting.NABScore, len(grid))
	defaults := make([]alerting.NABScore, len(files))
	for g, c := range grid {
		scores[g] = make([]alerting.NABScore, len(files))
		for i, f := range files {
			if err := ctx.Err(); err != nil {
				return err
			}
			det, err := alerting.DetectSeries(c, f.Series)
			if err != nil {
				return fmt.Errorf("%s: %w", f.Name, err)
			}
			scores[g][i] = alerting.ScoreNAB(f.Series.Times, det, f.Windows, f.Labels, alerting.StandardProfile)
		}
	}
	for i, f := range files {
		det, err := alerting.DetectSeries(cfg, f.Series)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		defaults[i] = alerting.ScoreNAB(f.Series.Times, det, f.Windows, f.Labels, alerting.StandardProfile)
	}
	var ours, tuned, theirs []alerting.NABScore
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\nleave one series out\trapport defaults\trapport tuned\tsetting (tail q, immediate z)\trolling gaussian\tthreshold p\t\n")
	for i, f := range files {
		others := func(s []alerting.NABScore) alerting.NABScore {
			var o []alerting.NABScore
			for j := range s {
				if j != i {
					o = append(o, s[j])
				}
			}
			return alerting.Combine(o...)
		}
		bestG, best := 0, math.Inf(-1)
		for g := range grid {
			if v := others(scores[g]).Normalized(); v > best {
				bestG, best = g, v
			}
		}
		var of []alerting.NABFile
		var ot [][]float64
		for j := range files {
			if j != i {
				of, ot = append(of, files[j]), append(ot, tails[j])
			}
		}
		p := alertsBestGaussianP(of, ot)
		g := alerting.ScoreNAB(f.Series.Times, alerting.Flagged(tails[i], p), f.Windows, f.Labels, alerting.StandardProfile)
		ours, tuned, theirs = append(ours, defaults[i]), append(tuned, scores[bestG][i]), append(theirs, g)
		fmt.Fprintf(tw, "%s\t%.1f\t%.1f\t%.3g, %.0f\t%.1f\t%.3g\t\n", f.Name, defaults[i].Normalized(), scores[bestG][i].Normalized(),
			grid[bestG].TailQuantile, grid[bestG].ImmediateZ, g.Normalized(), p)
	}
	fmt.Fprintf(tw, "combined\t%.1f\t%.1f\t\t%.1f\t\t\n", alerting.Combine(ours...).Normalized(),
		alerting.Combine(tuned...).Normalized(), alerting.Combine(theirs...).Normalized())
	return tw.Flush()
}
