package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Token kinds.
const (
	tokWord    uint8 = iota
	tokHashtag       // #tag: norm is the folded tag without '#'
	tokMention       // @handle or @user@instance: norm is the lower-cased handle without the first '@'
	tokCashtag       // $TICKER: norm is the upper-cased ticker without '$'
)

// token is one token of a text: a run of letters and digits, a single '&' or '+', or a whole hashtag,
// mention or cashtag.
type token struct {
	start, end int   // byte span in the text, sigil included
	na, nb     int32 // normalised form: scratch.norm[na:nb]
	kind       uint8 // tokWord, tokHashtag, …
	upper      bool  // written with a capital first letter
	sentStart  bool  // first token of the text or of a sentence
	brk        bool  // a sentence break (. ! ? ; : or a line break) separates it from the previous token
}

// scratch is the per-call working memory of the recognizer.
type scratch struct {
	toks []token
	norm []byte
}

func (s *scratch) str(t *token) string { return string(s.norm[t.na:t.nb]) }

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// tokenize appends the tokens of text to s.toks and their normalised forms to s.norm.
func (s *scratch) tokenize(text string) {
	brk, sent := false, true
	prevWord := false // the byte before i ends a letter/digit/'_' run (so '#', '@', '$' are not sigils)
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
				i = s.word(text, i, &brk, &sent)
				prevWord = true
				continue
			case (c == '#' || c == '@' || c == '$') && !prevWord:
				if j := s.sigil(text, i, &brk, &sent); j > i {
					i = j
					prevWord = true
					continue
				}
			case c == '&' || c == '+':
				s.emit(text, i, i+1, tokWord, &brk, &sent)
				s.norm = append(s.norm, c)
				s.toks[len(s.toks)-1].nb = int32(len(s.norm))
				i++
				prevWord = false
				continue
			case c == '.' || c == '!' || c == '?' || c == ';' || c == ':' || c == '\n' || c == '\r':
				// "3.5" and "acme.example" are not sentence ends.
				if c == '.' && i+1 < len(text) && text[i+1] != ' ' && text[i+1] != '\n' && prevWord {
					break
				}
				brk, sent = true, true
			}
			prevWord = c == '_'
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if isWordRune(r) {
			i = s.word(text, i, &brk, &sent)
			prevWord = true
			continue
		}
		if r == '…' || r == '。' || r == '！' || r == '？' {
			brk, sent = true, true
		}
		prevWord = false
		i += size
	}
}

func (s *scratch) emit(text string, a, b int, kind uint8, brk, sent *bool) {
	r, _ := utf8.DecodeRuneInString(text[a:])
	if kind != tokWord {
		r, _ = utf8.DecodeRuneInString(text[a+1:])
	}
	s.toks = append(s.toks, token{
		start: a, end: b, na: int32(len(s.norm)), nb: int32(len(s.norm)), kind: kind,
		upper: unicode.IsUpper(r), sentStart: *sent, brk: *brk,
	})
	*brk, *sent = false, false
}

// word reads the letter/digit run at i and returns its end.
func (s *scratch) word(text string, i int, brk, sent *bool) int {
	j := i
	ascii := true
	for j < len(text) {
		c := text[j]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				j++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if !isWordRune(r) {
			break
		}
		ascii = false
		j += size
	}
	s.emit(text, i, j, tokWord, brk, sent)
	s.norm = appendFold(s.norm, text[i:j], ascii)
	s.toks[len(s.toks)-1].nb = int32(len(s.norm))
	return j
}

// sigil reads a hashtag, mention or cashtag at i (the sigil) and returns its end, or i when there is none.
func (s *scratch) sigil(text string, i int, brk, sent *bool) int {
	c := text[i]
	j := i + 1
	switch c {
	case '$':
		for j < len(text) && j-i <= 7 && (text[j] >= 'A' && text[j] <= 'Z' || text[j] >= 'a' && text[j] <= 'z') {
			j++
		}
		if j == i+1 || j-i > 7 || j < len(text) && (text[j] >= '0' && text[j] <= '9' || text[j] == '_') {
			return i
		}
		if j+1 < len(text) && text[j] == '.' {
			k := j + 1
			for k < len(text) && k-j <= 2 && isASCIILetter(text[k]) {
				k++
			}
			if k > j+1 && (k == len(text) || !isASCIILetter(text[k])) {
				j = k
			}
		}
		s.emit(text, i, j, tokCashtag, brk, sent)
		s.norm = append(s.norm, strings.ToUpper(text[i+1:j])...)
	case '#', '@':
		letters := false
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if isWordRune(r) || r == '_' {
				letters = letters || unicode.IsLetter(r)
				j += size
				continue
			}
			// A mention may carry its instance (user@instance) and dots inside (user.name).
			if c == '@' && (r == '.' || r == '@') && j+1 < len(text) {
				n, _ := utf8.DecodeRuneInString(text[j+1:])
				if isWordRune(n) {
					j += size
					continue
				}
			}
			break
		}
		if j == i+1 || c == '#' && !letters {
			return i
		}
		kind := tokHashtag
		if c == '@' {
			kind = tokMention
		}
		s.emit(text, i, j, kind, brk, sent)
		s.norm = appendFold(s.norm, text[i+1:j], false)
	}
	s.toks[len(s.toks)-1].nb = int32(len(s.norm))
	return j
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// appendFold appends w lower-cased, with accents removed ("Nestlé" → "nestle").
func appendFold(dst []byte, w string, ascii bool) []byte {
	if ascii {
		for i := 0; i < len(w); i++ {
			c := w[i]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
		}
		return dst
	}
	for _, r := range norm.NFD.String(w) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		switch r {
		case 'ß':
			dst = append(dst, "ss"...)
			continue
		case 'ø', 'Ø':
			r = 'o'
		case 'æ', 'Æ':
			dst = append(dst, "ae"...)
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// fold returns w lower-cased without accents; w itself when it is lower-case ASCII already.
func fold(w string) string {
	ascii, lower := true, true
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if c >= 'A' && c <= 'Z' {
			lower = false
		}
	}
	if ascii && lower {
		return w
	}
	return string(appendFold(nil, w, ascii))
}

// normTokens returns the normalised word tokens of a catalogue name.
func normTokens(name string) []string {
	var s scratch
	s.tokenize(name)
	out := make([]string, 0, len(s.toks))
	for i := range s.toks {
		t := &s.toks[i]
		if t.kind != tokWord {
			// A '#' or '@' inside a name is just punctuation: use the text after it.
			out = append(out, strings.ToLower(fold(string(s.norm[t.na:t.nb]))))
			continue
		}
		out = append(out, s.str(t))
	}
	return out
}
