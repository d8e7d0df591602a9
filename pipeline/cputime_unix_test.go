//go:build unix

package pipeline_test

import "syscall"

// cpuSeconds is the user plus system CPU time of this test process (ClickHouse and the broker are other
// processes). Benchmarks report it per record, which other load on the machine changes less than wall time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
