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
		p.Hashtags, p.Mentions, p.URLs = Extract(p.Text)
	}
	return posts, nil
}

// Extract returns the hashtags and mentions (lower-case, without their sigil, each once, in order of first
// appearance) and URLs (as written) in text.
//
// A hashtag or mention starts at '#' or '@' that does not follow a letter, digit or '_' (so e-mail
// addresses and "C#" are not taken), and runs over letters, digits, marks and '_'; a hashtag needs at least
// one letter. A mention may contain '.' and one further '@' (Mastodon's user@instance form). A URL starts
// with http:// or https:// and runs to the next space, minus trailing punctuation.
func Extract(text string) (hashtags, mentions, urls []string) {
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
				urls = appendUnique(urls, u)
			}
			i = end
		case (c == '#' || c == '@') && boundaryBefore(text, i):
			end := scanWord(text, i+1, c == '@')
			word := text[i+1 : end]
			if c == '@' {
				word = strings.TrimRight(word, ".@")
				if word != "" {
					mentions = appendUnique(mentions, strings.ToLower(word))
				}
			} else if hasLetter(word) {
				hashtags = appendUnique(hashtags, strings.ToLower(word))
			}
			if end == i+1 {
				end++
			}
			i = end
		default:
			i++
		}
	}
	return hashtags, mentions, urls
}

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
