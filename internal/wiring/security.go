package wiring

import (
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/rapport-dev/rapport/config"
)

// KafkaSecurity returns the client options for the configured Kafka transport security: TLS (optionally
// mutual) and SASL PLAIN or SCRAM. Credentials go straight into the client; they are never logged.
func KafkaSecurity(c *config.Config) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	tlsCfg, err := c.KafkaTLS()
	if err != nil {
		return nil, err
	}
	if tlsCfg != nil {
		opts = append(opts, kgo.DialTLSConfig(tlsCfg))
	}
	k := &c.Kafka
	var mech sasl.Mechanism
	switch k.SASLMechanism {
	case "":
	case "PLAIN":
		mech = plain.Auth{User: k.SASLUsername, Pass: k.SASLPassword}.AsMechanism()
	case "SCRAM-SHA-256":
		mech = scram.Auth{User: k.SASLUsername, Pass: k.SASLPassword}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		mech = scram.Auth{User: k.SASLUsername, Pass: k.SASLPassword}.AsSha512Mechanism()
	default:
		return nil, fmt.Errorf("kafka.sasl_mechanism: %q is not supported", k.SASLMechanism)
	}
	if mech != nil {
		opts = append(opts, kgo.SASL(mech))
	}
	return opts, nil
}
