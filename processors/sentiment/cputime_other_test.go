//go:build !unix

package sentiment

func cpuSeconds() float64 { return 0 }
