package sentiment

// wordTable is the frozen word lexicon: an open-addressing hash table looked up by the lower-cased bytes of
// a word without converting them to a string. Each slot holds the top 32 bits of the key's hash and the
// key's index, so that most probes that miss never touch key bytes. A tweet is mostly words the lexicon does
// not know, so misses must be cheap.
type wordTable struct {
	slots   []uint64 // hash<<32 | index+1; 0 is empty
	mask    uint64
	keys    []string
	entries []entry
}

func hashWord(b []byte) uint64 {
	h := uint64(14695981039346656037) // FNV-1a
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func newWordTable(words map[string]entry) *wordTable {
	n := 1
	for n < 2*len(words) {
		n <<= 1
	}
	t := &wordTable{slots: make([]uint64, n), mask: uint64(n - 1)}
	for k, e := range words {
		t.keys = append(t.keys, k)
		t.entries = append(t.entries, e)
		h := hashWord([]byte(k))
		for i := h & t.mask; ; i = (i + 1) & t.mask {
			if t.slots[i] == 0 {
				t.slots[i] = h&^0xffffffff | uint64(len(t.keys))
				break
			}
		}
	}
	return t
}

func (t *wordTable) get(b []byte) (entry, bool) {
	h := hashWord(b)
	tag := h &^ 0xffffffff
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := t.slots[i]
		if s == 0 {
			return entry{}, false
		}
		if s&^0xffffffff == tag {
			j := uint32(s) - 1
			if t.keys[j] == string(b) {
				return t.entries[j], true
			}
		}
	}
}
