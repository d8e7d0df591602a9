package dedup

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// FNV-1a constants for the token hashes.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

// tokenize appends to dst the hashes of the normalized words of text and returns it. Normalization is what
// makes copies with small edits compare equal: letters are lower-cased; URLs (http://, https://, www.) and
// @mentions are dropped, because copies carry a different tracking link or address another account; every
// character that is not a letter or a digit is dropped, which removes emoji, punctuation and the '#' of a
// hashtag (the tag's word stays); whitespace separates words. A word of nothing but dropped characters
// disappears, so "wow 🔥🔥 deal!!" and "WOW deal" have the same words.
func tokenize(dst []uint64, text string) []uint64 {
	i := 0
	for i < len(text) {
		// Skip whitespace.
		c := text[i]
		if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
			i++
			continue
		}
		// Find the end of the field.
		j := i
		for j < len(text) {
			c := text[j]
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				break
			}
			if c >= utf8.RuneSelf {
				r, size := utf8.DecodeRuneInString(text[j:])
				if unicode.IsSpace(r) {
					break
				}
				j += size
				continue
			}
			j++
		}
		field := text[i:j]
		i = j
		if skipField(field) {
			continue
		}
		h := uint64(fnvOffset)
		n := 0
		for k := 0; k < len(field); {
			c := field[k]
			if c < utf8.RuneSelf {
				k++
				switch {
				case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				case c >= 'A' && c <= 'Z':
					c += 'a' - 'A'
				default:
					continue
				}
				h = (h ^ uint64(c)) * fnvPrime
				n++
				continue
			}
			r, size := utf8.DecodeRuneInString(field[k:])
			k += size
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				continue
			}
			r = unicode.ToLower(r)
			for r != 0 {
				h = (h ^ uint64(r&0xff)) * fnvPrime
				r >>= 8
			}
			n++
		}
		if n > 0 {
			dst = append(dst, h)
		}
	}
	return dst
}

// skipField reports whether a whitespace-separated field is a mention or holds a URL (also inside markup,
// as in Markdown's "[link](https://…)").
func skipField(f string) bool {
	if f[0] == '@' {
		return len(f) > 1
	}
	return strings.Contains(f, "://") || hasPrefixFold(f, "www.")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// authorKey returns the key under which one person's accounts on different networks meet: the handle
// lower-cased, without a leading '@' or a Mastodon instance ("@name@host"), keeping only letters and
// digits, so "Jenny_Smith42" on X, "jenny_smith42@mas.to" on Mastodon and "@jennysmith42" on YouTube meet.
// Handles shorter than minHandle letters and digits are too common to identify anyone and give 0.
func authorKey(handle string) uint64 {
	handle = strings.TrimPrefix(handle, "@")
	if i := strings.IndexByte(handle, '@'); i >= 0 {
		handle = handle[:i]
	}
	h := uint64(fnvOffset)
	n := 0
	for _, r := range handle {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		r = unicode.ToLower(r)
		for r != 0 {
			h = (h ^ uint64(r&0xff)) * fnvPrime
			r >>= 8
		}
		n++
	}
	if n < minHandle {
		return 0
	}
	return h | 1
}

// minHandle is the shortest handle (in letters and digits) that can tie accounts on different networks to
// one author.
const minHandle = 5
