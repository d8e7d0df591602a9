package identity

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// syntheticNames draws names with a skewed frequency, as in real populations: a few very common first and
// last names and a long tail.
type syntheticNames struct {
	first, last []string
}

func newSyntheticNames(r *rand.Rand) syntheticNames {
	syl := []string{"ka", "ri", "mo", "the", "an", "sel", "dor", "vi", "lu", "mar", "ten", "bro", "ga", "zen", "pol", "fi", "ra", "no", "ste", "wil"}
	word := func(parts int) string {
		var b strings.Builder
		for range parts {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		return b.String()
	}
	var n syntheticNames
	for range 2000 {
		n.first = append(n.first, word(2+r.IntN(2)))
	}
	for range 50000 {
		n.last = append(n.last, word(2+r.IntN(3)))
	}
	return n
}

// skewed returns an index skewed towards the start of a list of size n: the most common of 2000 first names
// is held by about 2% of people, the most common of 50000 surnames by about 0.5%, near real populations.
func skewed(r *rand.Rand, n int) int {
	x := r.Float64()
	return int(x * x * float64(n))
}

func (s syntheticNames) person(r *rand.Rand) (first, last string) {
	return s.first[skewed(r, len(s.first))], s.last[skewed(r, len(s.last))]
}

var (
	benchOnce   sync.Once
	benchDir    *Directory
	benchBytes  float64
	benchAuthor []Author
)

// buildBenchDirectory indexes 1M synthetic customers once and measures the heap the directory holds.
func buildBenchDirectory(b *testing.B) {
	benchOnce.Do(func() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		h := testHasher(b)
		r := rand.New(rand.NewPCG(1, 2))
		names := newSyntheticNames(r)
		cities := []string{"London", "Leeds", "Austin", "Denver", "Lyon", "Porto", "Berlin", "Madrid", "Osaka", "Lagos", "Pune", "Recife"}
		const n = 1_000_000
		customers := make([]Customer, 0, n)
		var profiles []Author
		at := time.Unix(1.7e9, 0)
		for i := range n {
			f, l := names.person(r)
			name := capFirst(f) + " " + capFirst(l)
			local := fmt.Sprintf("%s.%s%d", f, l, r.IntN(100))
			rec := CustomerRecord{ID: fmt.Sprintf("C%07d", i), Name: name, City: cities[r.IntN(len(cities))],
				Emails: []string{local + "@example.com"}, Consent: r.Float64() < 0.9}
			if r.Float64() < 0.2 {
				rec.Handles = []string{"x:" + f + l + fmt.Sprint(i)}
			}
			c, err := NewCustomer(h, rec, 1, at)
			if err != nil {
				b.Fatal(err)
			}
			customers = append(customers, c)
			if i%50 == 0 {
				// Authors: half of them customers on social, in every form of the profile.
				switch i % 200 {
				case 0:
					profiles = append(profiles, Author{Network: "x", Handle: f + l + fmt.Sprint(i), DisplayName: name})
				case 50:
					profiles = append(profiles, Author{Network: "x", Handle: strings.ReplaceAll(local, ".", "_"), DisplayName: f, Location: rec.City})
				case 100:
					profiles = append(profiles, Author{Network: "mastodon", Handle: f + "@social.example", DisplayName: name, Location: rec.City + ", somewhere"})
				default:
					sf, sl := names.person(r)
					profiles = append(profiles, Author{Network: "x", Handle: "x" + sl + fmt.Sprint(r.IntN(9999)), DisplayName: capFirst(sf) + " " + capFirst(sl)})
				}
			}
		}
		d, err := NewDirectory(customers, h, MatchOptions{})
		if err != nil {
			b.Fatal(err)
		}
		customers = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		benchDir, benchAuthor = d, profiles
		benchBytes = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(d.Len())
		runtime.KeepAlive(customers)
	})
}

// cpuTime returns the CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func capFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// BenchmarkDirectoryLookup measures author lookups against a directory of 1M customers on one goroutine,
// and reports the directory's heap per customer (runtime.MemStats.HeapAlloc after a GC, the input records
// released: names, hashed keys, blocking maps).
func BenchmarkDirectoryLookup(b *testing.B) {
	buildBenchDirectory(b)
	b.ReportAllocs()
	runtime.GC()
	cpu0 := cpuTime()
	b.ResetTimer()
	found := 0
	for i := 0; b.Loop(); i++ {
		found += len(benchDir.Lookup(benchAuthor[i%len(benchAuthor)]))
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	b.ReportMetric(benchBytes, "bytes/customer")
	// On a shared machine wall time includes waiting for a core; the process's CPU time (user and system,
	// garbage collection included) gives the rate one core sustains.
	b.ReportMetric(float64(b.N)/cpu.Seconds(), "lookups/cpu-s")
	if found == 0 {
		b.Fatal("no lookup found anyone: the benchmark does not exercise matching")
	}
}
