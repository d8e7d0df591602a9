//go:build unix

package dedup_test

import "syscall"

// cpuSeconds is the CPU time this process has used (all threads, garbage collection included), so that
// benchmarks can report a rate per core that other load on the machine does not skew.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
