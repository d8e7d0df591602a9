// Package features is the stage that extracts hashtags, mentions and URLs from post text, so that every
// network's posts carry them in the same form regardless of what the network's payload reported.
package features

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rapport-dev/rapport/post"
)

// Stage extracts text features. It keeps no state.
type Stage struct{}

// Name implements processors.Stage.
func (Stage) Name() string { return "features" }

// Process implements processors.Stage. It never drops a post and never fails.
func (Stage) Process(ctx context.Context, posts []*post.Post) ([]*post.Post, error) {
	for _, p := range posts {
		f := Extract(p.Text)
		p.Hashtags, p.Mentions, p.Cashtags, p.Emoji, p.URLs = f.Hashtags, f.Mentions, f.Cashtags, f.Emoji, f.URLs
	}
	return posts, nil
}

// Features are the entities written into a post's text.
type Features struct {
	Hashtags []string // lower-case, without '#'
	Mentions []string // lower-case, without '@'
	Cashtags []string // upper-case tickers, without '$'
	Emoji    []string // emoji sequences as written (skin tones, joiners, flags kept whole)
	URLs     []string // as written
}

// Extract returns the hashtags, mentions and cashtags (normalised case, without their sigil, each once, in
// order of first appearance) and URLs (as written) in text.
//
// A hashtag or mention starts at '#' or '@' that does not follow a letter, digit or '_' (so e-mail
// addresses and "C#" are not taken), and runs over letters, digits, marks and '_'; a hashtag needs at least
// one letter. A mention may contain '.' and one further '@' (Mastodon's user@instance form). A cashtag is
// '$' and 1–6 ASCII letters, optionally followed by '.' and 1–2 letters of a share class ($BRK.B), at a word
// boundary and not followed by a digit ("$5" is money). A URL starts with http:// or https:// and runs to the
// next space, minus trailing punctuation.
func Extract(text string) (f Features) {
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case (c == 'h' || c == 'H') && hasURLPrefix(text[i:]) && boundaryBefore(text, i):
			end := i
			for end < len(text) {
				r, size := utf8.DecodeRuneInString(text[end:])
				if unicode.IsSpace(r) {
					break
				}
				end += size
			}
			u := strings.TrimRight(text[i:end], ".,;:!?)]}'\"…")
			if host := u[strings.Index(u, "//")+2:]; host != "" {
				f.URLs = appendUnique(f.URLs, u)
			}
			i = end
		case (c == '#' || c == '@') && boundaryBefore(text, i):
			end := scanWord(text, i+1, c == '@')
			word := text[i+1 : end]
			if c == '@' {
				word = strings.TrimRight(word, ".@")
				if word != "" {
					f.Mentions = appendUnique(f.Mentions, strings.ToLower(word))
				}
			} else if hasLetter(word) {
				f.Hashtags = appendUnique(f.Hashtags, strings.ToLower(word))
			}
			if end == i+1 {
				end++
			}
			i = end
		case c >= 0xE2 && c != 0xE3: // lead byte of U+2000 and up, where pictographs live
			if e, end := scanEmoji(text, i); e != "" {
				f.Emoji = appendUnique(f.Emoji, e)
				i = end
			} else {
				_, size := utf8.DecodeRuneInString(text[i:])
				i += size
			}
		case c == '$' && boundaryBefore(text, i):
			if tag, end := scanCashtag(text, i+1); tag != "" {
				f.Cashtags = appendUnique(f.Cashtags, strings.ToUpper(tag))
				i = end
			} else {
				i++
			}
		default:
			i++
		}
	}
	return f
}

// scanCashtag reads a ticker starting at i and returns it with the index after it, or "" when there is none.
func scanCashtag(s string, i int) (string, int) {
	letters := func(j, max int) int {
		n := 0
		for j+n < len(s) && n <= max && isASCIILetter(s[j+n]) {
			n++
		}
		return n
	}
	n := letters(i, 6)
	if n == 0 || n > 6 {
		return "", i
	}
	end := i + n
	if end+1 < len(s) && s[end] == '.' {
		if m := letters(end+1, 2); m >= 1 && m <= 2 && (end+1+m == len(s) || !isWordByte(s[end+1+m])) {
			end += 1 + m
		}
	}
	if end < len(s) && (isWordByte(s[end]) || s[end] >= 0x80) {
		return "", i // "$5", "$abcdefgh", "$USDt…": not a ticker
	}
	return s[i:end], end
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func isWordByte(c byte) bool { return c == '_' || isASCIILetter(c) || (c >= '0' && c <= '9') }

func hasURLPrefix(s string) bool {
	if len(s) >= 8 && strings.EqualFold(s[:8], "https://") {
		return len(s) > 8
	}
	return len(s) > 7 && strings.EqualFold(s[:7], "http://")
}

// boundaryBefore reports whether the character before i is not part of a word.
func boundaryBefore(s string, i int) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return !(isWordRune(r) || r == '#' || r == '@' || r == '/')
}

func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func scanWord(s string, i int, mention bool) int {
	ats := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isWordRune(r):
		case mention && r == '.' && i+size < len(s):
			next, _ := utf8.DecodeRuneInString(s[i+size:])
			if !isWordRune(next) {
				return i
			}
		case mention && r == '@' && ats == 0:
			ats++
		default:
			return i
		}
		i += size
	}
	return i
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func appendUnique(list []string, v string) []string {
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

// isPictograph reports whether r starts an emoji: the emoji and pictograph blocks of Unicode (symbols,
// dingbats, transport, faces, flags' regional indicators, …).
func isPictograph(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2300 && r <= 0x23FF,
		r >= 0x2B00 && r <= 0x2BFF:
		return true
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// scanEmoji reads one emoji sequence at i: a pictograph with its variation selector and skin-tone modifier,
// joined by zero-width joiners to further pictographs, or a pair of regional indicators (a flag). It returns
// "" when no emoji starts at i.
func scanEmoji(s string, i int) (string, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	if !isPictograph(r) {
		return "", i
	}
	end := i + size
	if isRegionalIndicator(r) {
		if r2, size2 := utf8.DecodeRuneInString(s[end:]); isRegionalIndicator(r2) {
			end += size2
		}
		return s[i:end], end
	}
	for end < len(s) {
		r, size := utf8.DecodeRuneInString(s[end:])
		switch {
		case r == 0xFE0F || r == 0x20E3 || (r >= 0x1F3FB && r <= 0x1F3FF): // variation selector, keycap, skin tone
			end += size
		case r == 0x200D: // zero-width joiner: the next pictograph belongs to this emoji
			next, nsize := utf8.DecodeRuneInString(s[end+size:])
			if !isPictograph(next) {
				return s[i:end], end
			}
			end += size + nsize
		default:
			return s[i:end], end
		}
	}
	return s[i:end], end
}
