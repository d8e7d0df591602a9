package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/rapport-dev/rapport/post"
	"github.com/rapport-dev/rapport/processors/sentiment"
)

// maxAnalyzeLine is the longest input line analyze reads; a longer line gets an error line.
const maxAnalyzeLine = 1 << 20

func analyzeCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("analyze", flag.ContinueOnError)
	lang := fs.String("lang", "en", "language of lines that do not say theirs (plain text, or JSON without lang or with \"und\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("analyze: unexpected argument %q: input is read from stdin", fs.Arg(0))
	}
	a, err := sentiment.New()
	if err != nil {
		return err
	}
	return analyzeStream(ctx, a, os.Stdin, os.Stdout, *lang, maxAnalyzeLine)
}

// analyzeInput is what analyze reads from a JSON line: a canonical post (post.Post as encoding/json writes
// it) or any object with a "text" field. Field names match case-insensitively, so both forms decode.
type analyzeInput struct {
	Text     *string       `json:"text"`
	Title    string        `json:"title"`
	Lang     string        `json:"lang"`
	ID       string        `json:"id"`
	Network  string        `json:"network"`
	Rating   int8          `json:"rating"`
	Entities []inputEntity `json:"entities"`
}

type analyzeSentiment struct {
	Compound      float64               `json:"compound"` // the rules' score, in [-1, 1]
	Label         sentiment.Label       `json:"label"`
	Probabilities *analyzeProbabilities `json:"probabilities,omitempty"` // the learned layer's, which chose the label
	ModelVersion  string                `json:"model_version"`
}

type analyzeProbabilities struct {
	Negative float64 `json:"negative"`
	Neutral  float64 `json:"neutral"`
	Positive float64 `json:"positive"`
}

// analyzeOutput is one output line.
type analyzeOutput struct {
	Line      int                `json:"line"`
	Network   string             `json:"network,omitempty"`
	ID        string             `json:"id,omitempty"`
	Lang      string             `json:"lang,omitempty"`
	Sentiment *analyzeSentiment  `json:"sentiment,omitempty"`
	Drivers   []sentiment.Driver `json:"drivers,omitempty"`
	Entities  []analyzeEntity    `json:"entities,omitempty"` // sentiment aimed at each entity given
	Signals   []analyzeSignal    `json:"signals,omitempty"`
	Unscored  bool               `json:"unscored,omitempty"`
	Error     string             `json:"error,omitempty"`
}

// analyzeStream writes exactly one JSON line to w for every line of r, in order. A line that cannot be read
// gets a line with "error"; a line in a language the analyzer does not support gets "unscored": true.
func analyzeStream(ctx context.Context, a *sentiment.Analyzer, r io.Reader, w io.Writer, defaultLang string, maxLine int) error {
	bw := bufio.NewWriterSize(w, 64*1024)
	// Output is flushed whenever input is about to be read, so that a line-at-a-time producer sees each
	// answer before it sends the next line, while bulk input is written in large blocks.
	in := &flushingReader{r: r, w: bw}
	split := &lineSplitter{max: maxLine}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), maxLine+4096)
	sc.Split(split.split)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var res sentiment.Detail
	for n := 1; sc.Scan(); n++ {
		if err := ctx.Err(); err != nil {
			_ = bw.Flush()
			return err
		}
		out := analyzeOutput{Line: n}
		if split.tooLong {
			split.tooLong = false
			out.Error = fmt.Sprintf("line longer than %d bytes", maxLine)
		} else {
			analyzeLine(a, sc.Bytes(), defaultLang, &res, &out)
		}
		if err := enc.Encode(&out); err != nil {
			return fmt.Errorf("writing line %d: %w", n, err)
		}
	}
	if err := sc.Err(); err != nil {
		_ = bw.Flush()
		return fmt.Errorf("reading input: %w", err)
	}
	return bw.Flush()
}

func analyzeLine(a *sentiment.Analyzer, line []byte, defaultLang string, res *sentiment.Detail, out *analyzeOutput) {
	trimmed := bytes.TrimSpace(line)
	var text, lang string
	var ents []post.Entity
	var rating int8
	offset := 0
	switch {
	case len(trimmed) == 0:
		out.Error = "empty line"
		return
	case trimmed[0] == '{':
		var in analyzeInput
		if err := json.Unmarshal(trimmed, &in); err != nil {
			out.Error = "decoding JSON line: " + err.Error()
			return
		}
		if in.Text == nil {
			out.Error = `JSON line has no "text" field`
			return
		}
		out.Network, out.ID = in.Network, in.ID
		lang, rating = in.Lang, in.Rating
		var err error
		if ents, err = locateEntities(*in.Text, in.Entities); err != nil {
			out.Error = err.Error()
			return
		}
		text, offset = sentiment.PostText(in.Title, *in.Text)
	default:
		text = string(line)
	}
	if lang == "" || strings.EqualFold(lang, "und") {
		lang = defaultLang
	}
	out.Lang = lang
	if !sentiment.Supports(lang) {
		out.Unscored = true
		for _, sg := range sentiment.RatingSignals(rating, ents, nil) {
			out.Signals = append(out.Signals, analyzeSignal{Kind: string(sg.Kind), Phrase: sg.Phrase, Entity: sg.Entity})
		}
		return
	}
	a.AnalyzePost(text, offset, ents, rating, res)
	out.Sentiment = &analyzeSentiment{
		Compound:     round4(res.Compound),
		Label:        res.Label,
		ModelVersion: res.ModelVersion,
	}
	if a.HasLayer() {
		p := res.Probabilities
		out.Sentiment.Probabilities = &analyzeProbabilities{Negative: round4(p[0]), Neutral: round4(p[1]), Positive: round4(p[2])}
	}
	out.Drivers = res.Drivers
	for i, e := range ents {
		er := res.Entities[i]
		out.Entities = append(out.Entities, analyzeEntity{
			ID: e.ID, Matched: e.Matched, Start: e.Start, End: e.End,
			Compound: round4(er.Compound), Label: er.Label, InText: er.InText, Drivers: er.Drivers,
		})
	}
	for _, sg := range res.Signals {
		out.Signals = append(out.Signals, analyzeSignal{Kind: string(sg.Kind), Phrase: sg.Phrase, Entity: sg.Entity})
	}
}

// flushingReader flushes w before every read of r.
type flushingReader struct {
	r io.Reader
	w *bufio.Writer
}

func (f *flushingReader) Read(p []byte) (int, error) {
	if f.w.Buffered() > 0 {
		if err := f.w.Flush(); err != nil {
			return 0, err
		}
	}
	return f.r.Read(p)
}

// lineSplitter is a bufio.SplitFunc source that splits lines like bufio.ScanLines, but turns a line longer
// than max into one empty token with tooLong set, instead of stopping the scan.
type lineSplitter struct {
	max      int
	skipping bool // inside an over-long line
	tooLong  bool // the last token stands for an over-long line
}

func (s *lineSplitter) split(data []byte, atEOF bool) (int, []byte, error) {
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		if s.skipping || i > s.max {
			s.skipping, s.tooLong = false, true
			return i + 1, []byte{}, nil
		}
		return i + 1, bytes.TrimSuffix(data[:i], []byte{'\r'}), nil
	}
	switch {
	case s.skipping && atEOF:
		s.skipping, s.tooLong = false, true
		return len(data), []byte{}, nil
	case s.skipping:
		return len(data), nil, nil
	case len(data) > s.max:
		s.skipping = true
		return len(data), nil, nil
	case atEOF && len(data) > 0:
		return len(data), bytes.TrimSuffix(data, []byte{'\r'}), nil
	}
	return 0, nil, nil
}

func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }
